/*
 * triage-cfb.c — the directory of an OLE compound file ([MS-CFB]), read
 * from a buffer of hostile bytes: header, DIFAT, FAT, directory chain.
 * Only names, types, CLSIDs and sizes are read: that is all triage needs
 * (Macros, _VBA_PROJECT_CUR, VBA, ObjectPool, \x01Ole10Native,
 * EncryptedPackage, the MSI CLSID).  Every sector number is checked
 * against the buffer, every chain is cut at its first loop, and the whole
 * walk takes at most as many steps as the file has sectors.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "triage.h"

#define FREESECT 0xFFFFFFFFu
#define ENDOFCHAIN 0xFFFFFFFEu
#define MAXREGSECT 0xFFFFFFFAu

static const unsigned char cfb_sig[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

static size_t
put_utf8(char *o, size_t at, size_t cap, uint32_t cp)
{
	unsigned char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (at + k >= cap)
		return at;
	memcpy(o + at, b, k);
	return at + k;
}

/* The UTF-16LE name of a directory entry (64 bytes + its length field). */
static void
entry_name(const unsigned char *e, char *out, size_t cap)
{
	uint32_t len = lka__le16(e + 64) / 2, i = 0;
	size_t o = 0;

	if (len > 32)
		len = 32;
	while (i < len) {
		uint32_t u = lka__le16(e + 2 * i++), cp = u;
		if (u == 0)
			break;
		if (u >= 0xD800 && u < 0xDC00 && i < len) {
			uint32_t v = lka__le16(e + 2 * i);
			if (v >= 0xDC00 && v < 0xE000) {
				cp = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
				i++;
			} else {
				cp = 0xFFFD;
			}
		} else if (u >= 0xD800 && u < 0xE000) {
			cp = 0xFFFD;
		}
		o = put_utf8(out, o, cap, cp);
	}
	out[o] = '\0';
}

lka_cfb_status
lka_cfb_parse(const void *data, size_t n, lka_cfb_entry **out, size_t *n_out)
{
	const unsigned char *p = data;
	lka_cfb_status st = LKA_CFB_OK;
	lka_cfb_entry *ents = NULL;
	uint32_t *fat = NULL, shift, ssize, per, nsect, first_dir, n_fat, difat, n_difat;
	unsigned char *seen = NULL;
	size_t n_ents = 0, cap_ents = 0, fat_sectors = 0;
	uint64_t size_mask;

	*out = NULL;
	*n_out = 0;
	if (n < 512 || memcmp(p, cfb_sig, 8) != 0)
		return LKA_CFB_NOT_CFB;
	shift = lka__le16(p + 0x1E);
	if (shift != 9 && shift != 12)
		return LKA_CFB_BAD;
	ssize = 1u << shift;
	per = ssize / 4;
	size_mask = lka__le16(p + 0x1A) == 3 ? 0xFFFFFFFFu : UINT64_MAX;
	if (n <= ssize)
		return LKA_CFB_BAD;
	nsect = (uint32_t)((n - ssize) / ssize > MAXREGSECT ? MAXREGSECT : (n - ssize) / ssize);
	if (nsect == 0)
		return LKA_CFB_BAD;
	n_fat = lka__le32(p + 0x2C);
	first_dir = lka__le32(p + 0x30);
	difat = lka__le32(p + 0x44);
	n_difat = lka__le32(p + 0x48);
	if (!(fat = malloc((size_t)nsect * sizeof *fat)) || !(seen = calloc(nsect, 1))) {
		st = LKA_CFB_BAD;
		goto out;
	}
	for (uint32_t i = 0; i < nsect; i++)
		fat[i] = FREESECT;

	/* FAT sectors: 109 in the header, then the DIFAT chain. */
#define ADD_FAT_SECTOR(sid)                                                                    \
	do {                                                                                   \
		uint32_t s_ = (sid), base_;                                                    \
		if (fat_sectors >= n_fat || s_ >= nsect) {                                     \
			if (s_ != FREESECT && fat_sectors < n_fat)                             \
				st = LKA_CFB_PARTIAL;                                          \
			break;                                                                 \
		}                                                                              \
		if ((uint64_t)fat_sectors * per >= nsect)                                      \
			break; /* covers no sector of the file */                              \
		base_ = (uint32_t)fat_sectors * per;                                           \
		for (uint32_t k_ = 0; k_ < per && base_ + k_ < nsect; k_++)                    \
			fat[base_ + k_] = lka__le32(p + (size_t)(s_ + 1) * ssize + 4 * k_);         \
		fat_sectors++;                                                                 \
	} while (0)
	for (uint32_t i = 0; i < 109; i++)
		ADD_FAT_SECTOR(lka__le32(p + 0x4C + 4 * i));
	for (uint32_t steps = 0; difat < nsect && steps < n_difat && steps < nsect; steps++) {
		const unsigned char *d = p + (size_t)(difat + 1) * ssize;
		if (seen[difat]) {
			st = LKA_CFB_PARTIAL;
			break;
		}
		seen[difat] = 1;
		for (uint32_t i = 0; i + 1 < per; i++)
			ADD_FAT_SECTOR(lka__le32(d + 4 * i));
		difat = lka__le32(d + 4 * (per - 1));
	}
#undef ADD_FAT_SECTOR
	if (fat_sectors == 0 || first_dir >= nsect) {
		st = LKA_CFB_BAD;
		goto out;
	}

	/* The directory chain. */
	memset(seen, 0, nsect);
	for (uint32_t sid = first_dir, steps = 0;; steps++) {
		const unsigned char *sec;

		if (sid == ENDOFCHAIN)
			break;
		if (sid >= nsect || seen[sid] || steps >= nsect) {
			st = LKA_CFB_PARTIAL;
			break;
		}
		seen[sid] = 1;
		sec = p + (size_t)(sid + 1) * ssize;
		for (uint32_t k = 0; k < ssize / 128; k++) {
			const unsigned char *e = sec + 128 * k;
			lka_cfb_entry *x;

			if (e[66] == 0) /* unused slot */
				continue;
			if (n_ents >= LKA_CFB_MAX_ENTRIES) {
				st = LKA_CFB_PARTIAL;
				goto done;
			}
			if (n_ents == cap_ents) {
				size_t nc = cap_ents ? 2 * cap_ents : 16;
				lka_cfb_entry *ne = realloc(ents, nc * sizeof *ne);
				if (!ne) {
					st = LKA_CFB_PARTIAL;
					goto done;
				}
				ents = ne;
				cap_ents = nc;
			}
			x = &ents[n_ents++];
			entry_name(e, x->name, sizeof x->name);
			x->type = e[66];
			memcpy(x->clsid, e + 80, 16);
			x->size = ((uint64_t)lka__le32(e + 120) | (uint64_t)lka__le32(e + 124) << 32) & size_mask;
		}
		sid = fat[sid];
	}
done:
	if (n_ents == 0 && st == LKA_CFB_OK)
		st = LKA_CFB_BAD;
	*out = ents;
	*n_out = n_ents;
	ents = NULL;
out:
	free(ents);
	free(fat);
	free(seen);
	return st;
}
