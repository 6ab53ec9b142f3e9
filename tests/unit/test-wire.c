/*
 * test-wire.c — frames between ingest and readers: round trips of every
 * frame type, and a decoder that refuses every truncation and corruption
 * without crashing (a reader process may send anything).
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "wire.h"

static lka_msg *
sample_msg(int depth)
{
	lka_msg *m = calloc(1, sizeof *m);

	m->item_class = strdup("IPM.Note");
	m->message_id = strdup("abc@example.org");
	m->subject = strdup("Objet : réunion état civil");
	m->has_sent_at = true;
	m->sent_at = 1700000000;
	m->tz_offset = 60;
	m->from_address = strdup("marie@mairie.fr");
	m->body_text = strdup("Bonjour,\nvoici le dossier.\n");
	m->headers = strdup("From: marie@mairie.fr\nSubject: x\n");
	m->raw_size = 1234;
	m->has_raw_sha256 = true;
	memset(m->raw_sha256, 0xab, sizeof m->raw_sha256);
	m->n_addrs = 2;
	m->addrs = calloc(2, sizeof *m->addrs);
	m->addrs[0].role = LKA_ROLE_FROM;
	m->addrs[0].address = strdup("marie@mairie.fr");
	m->addrs[0].name = strdup("Marie");
	m->addrs[1].role = LKA_ROLE_CC;
	m->addrs[1].raw = strdup("broken@@example..com");
	m->addrs[1].addr_type = strdup("EX");
	m->addrs[1].legacy_dn = strdup("/o=Mairie/cn=Recipients/cn=broken");
	m->engine = strdup("libpst");
	m->recovered = true;
	m->n_atts = 1;
	m->atts = calloc(1, sizeof *m->atts);
	m->atts[0].filename = strdup("facture.pdf");
	m->atts[0].declared_type = strdup("application/pdf");
	m->atts[0].size = 5;
	m->atts[0].data = (unsigned char *)strdup("%PDF-");
	m->atts[0].data_len = 5;
	m->atts[0].container = strdup("zip");
	m->atts[0].encrypted = true;
	m->atts[0].password = strdup("Inv2024!");
	m->atts[0].n_children = 1;
	m->atts[0].children = calloc(1, sizeof *m->atts[0].children);
	m->atts[0].children[0].part_path = strdup("../x.eml");
	m->atts[0].children[0].name_flags = strdup("dotdot,legacy-charset");
	m->atts[0].children[0].encrypted = true;
	if (depth > 0)
		m->atts[0].embedded = sample_msg(depth - 1);
	lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, "offset 12", "bad %s", "thing");
	return m;
}

static lka_contact *
sample_contact(void)
{
	lka_contact *c = calloc(1, sizeof *c);

	c->item_class = strdup("vcard");
	c->full_name = strdup("Zoé Ménard");
	c->given_name = strdup("Zoé");
	c->family_name = strdup("Ménard");
	c->organization = strdup("Mairie");
	c->att_path = strdup("c2/e0");
	c->birthday = strdup("1980-02-29");
	c->n_emails = 2;
	c->emails = calloc(2, sizeof *c->emails);
	c->emails[0].address = strdup("zoe@mairie.fr");
	c->emails[0].raw = strdup("Zoe@Mairie.FR");
	c->emails[0].type = strdup("work");
	c->emails[1].raw = strdup("not an address");
	c->n_phones = 1;
	c->phones = calloc(1, sizeof *c->phones);
	c->phones[0].raw = strdup("06 12 34 56 78");
	c->phones[0].type = strdup("mobile");
	c->n_postals = 1;
	c->postals = calloc(1, sizeof *c->postals);
	c->postals[0].locality = strdup("Lyon");
	c->postals[0].postcode = strdup("69001");
	c->n_members = 1;
	c->members = calloc(1, sizeof *c->members);
	c->members[0].name = strdup("Service");
	c->members[0].address = strdup("service@mairie.fr");
	c->is_list = true;
	lka_diags_add(&c->diags, LKA_WARN, LKA_E_CORRUPT, "line 3", "bad line");
	return c;
}

/*
 * How many truncations of the frame in b decode when their length field is
 * patched so that each claims to be complete (none should).
 */
static int
truncations_decoded(const lka_buf *b)
{
	lka_frame f;
	int bad = 0;

	for (size_t cut = 13; cut < b->len; cut++) {
		unsigned char *p = malloc(cut);
		memcpy(p, b->data, cut);
		/* patch the length so the frame claims to be complete */
		size_t len = cut - 4;
		p[0] = (unsigned char)len;
		p[1] = (unsigned char)(len >> 8);
		p[2] = (unsigned char)(len >> 16);
		p[3] = (unsigned char)(len >> 24);
		if (lka_wire_get_frame(&f, p, cut)) {
			lka_frame_clear(&f);
			bad++;
		}
		free(p);
	}
	return bad;
}

/* Decode the frame in b with single bits flipped after its length (b is
 * restored); a crash is the failure. */
static void
flip_bits(lka_buf *b)
{
	lka_frame f;

	for (size_t i = 4; i < b->len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			b->data[i] ^= (unsigned char)(1u << bit);
			if (lka_wire_get_frame(&f, b->data, b->len))
				lka_frame_clear(&f);
			b->data[i] ^= (unsigned char)(1u << bit);
		}
	}
}

int
main(void)
{
	lka_buf b;
	lka_itemloc loc = { 7, 4096, 2000 };
	lka_folder fo = { 3, 1, (char *)"Boîte", (char *)"Inbox/Boîte", (char *)"IPF.Note",
			  (char *)"ipm", (char *)"libpff", 12 };
	lka_diag dg = { LKA_FAILED, LKA_E_LIMIT, NULL, (char *)"too big" };
	lka_task task = { "/ev/box.mbox", "box.mbox", LKA_FMT_MBOX, 5 };
	lka_msg *m = sample_msg(3);
	lka_contact *ct = sample_contact();
	lka_frame f;
	lka_wire_task wt;
	size_t off = 0, fl;
	int frames = 0;

	lka_buf_init(&b, 0);
	ok(lka_wire_put_task(&b, 42, &task), "encode task");
	fl = lka_wire_frame_len(b.data, b.len);
	ok(fl == b.len, "task frame length");
	ok(lka_wire_get_task(&wt, b.data, fl), "decode task");
	is_str(wt.task.path, "/ev/box.mbox", "task path");
	is_int((long long)wt.task.skip, 5, "task skip");
	is_int((long long)wt.id, 42, "task id");
	lka_wire_task_clear(&wt);
	lka_buf_reset(&b);

	ok(lka_wire_put_item_begin(&b, 9, &loc), "encode item_begin");
	ok(lka_wire_put_folder(&b, 9, &fo), "encode folder");
	ok(lka_wire_put_message(&b, 9, &loc, 3, m), "encode message");
	ok(lka_wire_put_contact(&b, 9, &loc, 5, ct), "encode contact");
	ok(lka_wire_put_diag(&b, 9, &loc, &dg), "encode diag");
	ok(lka_wire_put_diag(&b, 9, NULL, &dg), "encode diag without location");
	ok(lka_wire_put_task_end(&b, 9, LKA_WARN), "encode task_end");

	while ((fl = lka_wire_frame_len(b.data + off, b.len - off)) != 0) {
		ok(fl != SIZE_MAX, "frame %d length sane", frames);
		ok(lka_wire_get_frame(&f, b.data + off, fl), "decode frame %d", frames);
		is_int((long long)f.task_id, 9, "frame %d task id", frames);
		switch (f.type) {
		case LKA_FR_MESSAGE: {
			const lka_msg *d = f.msg;
			int depth = 0;
			is_str(d->subject, m->subject, "subject survives");
			is_int(d->n_addrs, 2, "addresses survive");
			ok(d->addrs[1].address == NULL, "NULL address stays NULL");
			is_str(d->addrs[1].raw, "broken@@example..com", "raw address survives");
			is_str(d->addrs[1].addr_type, "EX", "MAPI address type survives");
			is_str(d->addrs[1].legacy_dn, "/o=Mairie/cn=Recipients/cn=broken",
			       "legacy DN survives");
			ok(d->addrs[0].addr_type == NULL && d->addrs[0].legacy_dn == NULL,
			   "NULL MAPI fields stay NULL");
			is_str(d->engine, "libpst", "engine survives");
			ok(d->recovered, "recovered flag survives");
			is_int(d->tz_offset, 60, "tz offset");
			ok(memcmp(d->raw_sha256, m->raw_sha256, 32) == 0, "raw sha256");
			is_int((long long)d->atts[0].data_len, 5, "attachment bytes");
			ok(memcmp(d->atts[0].data, "%PDF-", 5) == 0, "attachment content");
			is_str(d->atts[0].container, "zip", "container survives");
			ok(d->atts[0].encrypted, "encrypted flag survives");
			is_str(d->atts[0].password, "Inv2024!", "password survives");
			ok(d->atts[0].n_children == 1 && d->atts[0].children[0].encrypted &&
				   d->atts[0].children[0].name_flags &&
				   !strcmp(d->atts[0].children[0].name_flags, "dotdot,legacy-charset") &&
				   !strcmp(d->atts[0].children[0].part_path, "../x.eml"),
			   "members with their name flags survive");
			is_int(d->diags.n, 1, "diag survives");
			while (d->n_atts && d->atts[0].embedded) {
				d = d->atts[0].embedded;
				depth++;
			}
			is_int(depth, 3, "embedded messages nest");
			is_int(f.folder_id, 3, "folder id");
			break;
		}
		case LKA_FR_CONTACT: {
			const lka_contact *d = f.contact;
			is_str(d->full_name, "Zoé Ménard", "contact name survives");
			is_str(d->birthday, "1980-02-29", "contact birthday");
			is_str(d->att_path, "c2/e0", "contact attachment path survives");
			ok(d->is_list, "contact is_list");
			is_int(d->n_emails, 2, "contact e-mails");
			is_str(d->emails[0].address, "zoe@mairie.fr", "contact address");
			is_str(d->emails[0].type, "work", "contact address type");
			ok(d->emails[1].address == NULL && d->emails[1].name == NULL,
			   "contact NULL strings stay NULL");
			is_str(d->phones[0].raw, "06 12 34 56 78", "contact phone");
			is_str(d->postals[0].postcode, "69001", "contact postcode");
			is_str(d->members[0].address, "service@mairie.fr", "list member");
			is_int(d->diags.n, 1, "contact diag");
			is_int(f.folder_id, 5, "contact folder id");
			ok(f.has_loc && f.loc.ordinal == 7, "contact location");
			break;
		}
		case LKA_FR_FOLDER:
			is_str(f.folder.path, "Inbox/Boîte", "folder path");
			is_int(f.folder.parent_id, 1, "folder parent");
			is_str(f.folder.role, "ipm", "folder role");
			is_str(f.folder.engine, "libpff", "folder count engine");
			is_int(f.folder.expected_items, 12, "folder expected items");
			break;
		case LKA_FR_DIAG:
			is_str(f.diag.message, "too big", "diag message");
			break;
		case LKA_FR_TASK_END:
			is_int(f.status, LKA_WARN, "task status");
			break;
		case LKA_FR_ITEM_BEGIN:
			is_int((long long)f.loc.offset, 4096, "item offset");
			break;
		default:
			ok(0, "unexpected frame type %d", f.type);
		}
		lka_frame_clear(&f);
		off += fl;
		frames++;
	}
	is_int(frames, 7, "seven frames decoded");
	is_int((long long)off, (long long)b.len, "every byte consumed");

	/* Every truncation of the message frame is refused or incomplete,
	 * never a crash; every single-byte corruption is survived. */
	lka_buf_reset(&b);
	lka_wire_put_message(&b, 1, &loc, 0, m);
	is_int(truncations_decoded(&b), 0, "no truncated message frame decodes");
	flip_bits(&b);
	ok(1, "bit flips survived");
	lka_buf_reset(&b);
	lka_wire_put_contact(&b, 1, &loc, 0, ct);
	is_int(truncations_decoded(&b), 0, "no truncated contact frame decodes");
	flip_bits(&b);
	ok(1, "contact bit flips survived");
	lka_contact_free(ct);
	{
		unsigned char huge[8] = { 0xff, 0xff, 0xff, 0x7f, 4, 0, 0, 0 };
		ok(lka_wire_frame_len(huge, sizeof huge) == SIZE_MAX, "impossible length refused");
	}
	{
		/* a stream read in pieces: two whole frames, then part of a third */
		size_t at = 0, whole, total;
		int r1, r2, r3;

		lka_buf_reset(&b);
		lka_wire_put_item_begin(&b, 4, &loc);
		lka_wire_put_task_end(&b, 4, LKA_OK);
		whole = b.len;
		lka_wire_put_task_end(&b, 4, LKA_OK);
		r1 = lka_wire_next_frame(&f, b.data, b.len - 1, &at);
		if (r1 == 1)
			lka_frame_clear(&f);
		r2 = lka_wire_next_frame(&f, b.data, b.len - 1, &at);
		if (r2 == 1)
			lka_frame_clear(&f);
		r3 = lka_wire_next_frame(&f, b.data, b.len - 1, &at);
		ok(r1 == 1 && r2 == 1 && r3 == 0 && at == whole,
		   "next frame: two whole ones, then none (%d %d %d)", r1, r2, r3);
		total = b.len;
		lka_buf_drop(&b, at);
		ok(b.len == total - whole, "drop: the consumed frames are gone (%zu left)", b.len);
		at = 0;
		ok(lka_wire_next_frame(&f, b.data, b.len, &at) == 1 && f.type == LKA_FR_TASK_END &&
			   at == b.len,
		   "drop: the third frame is first now");
		lka_frame_clear(&f);
		b.data[0] = 0xff, b.data[1] = 0xff, b.data[2] = 0xff, b.data[3] = 0x7f;
		at = 0;
		ok(lka_wire_next_frame(&f, b.data, b.len, &at) == -1 && at == 0,
		   "next frame: an impossible length is an error");
	}
	lka_msg_free(m);
	lka_buf_free(&b);
	return done_testing();
}
