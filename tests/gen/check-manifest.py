#!/usr/bin/env python3
"""Check lka-gen's ground truth against an independent reading of its output.

Development aid for tests/gen/lka-gen.c, not used by the build or the test
suite.  It walks OUTDIR the way an ingester would, parses every message with
Python's standard `email` package (not with anything from leakaudit), and
compares what it finds with manifest.tsv and summary.txt:

  - every message file / mbox entry is in the manifest and vice versa
    (maildir tmp/ files and zero-byte markers are not messages);
  - per message: Message-ID, decoded Subject, Date, size, attachment and
    message/rfc822 counts, normalised addresses, maildir flags, and that
    rows sharing a dup_group are byte-identical (and only those);
  - summary.txt totals, the address books' cards and e-mails, and that
    Python's naive mailbox.mbox splitter finds mbox_naive_split_extra more
    messages than the correct splitter.

Usage: check-manifest.py [--stats] OUTDIR
Exit status: 0 when everything agrees, 1 on a mismatch, 2 on usage errors.
"""

import csv
import email
import email.policy
import email.utils
import hashlib
import io
import mailbox
import os
import re
import sys
import unicodedata
from email.header import decode_header, make_header

ADDR_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Bcc")
PROBLEMS = []


def problem(msg):
    PROBLEMS.append(msg)


# --- messages -----------------------------------------------------------

def unfold(value):
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def raw_to_text(value):
    """Header value from compat32 (surrogate-escaped bytes) to text."""
    try:
        return value.encode("ascii", "surrogateescape").decode("utf-8")
    except UnicodeDecodeError:
        return value.encode("ascii", "surrogateescape").decode("latin-1")


def normalize_address(addr):
    addr = addr.strip()
    if addr.count("@") != 1:
        return None
    local, domain = addr.split("@")
    if not local or not domain or any(not label for label in domain.split(".")):
        return None
    domain = domain.lower()
    if domain.isascii():
        try:
            domain = domain.encode("ascii").decode("idna")
        except UnicodeError:
            pass
    return unicodedata.normalize("NFC", local.lower() + "@" + domain.lower())


def header_addresses(msg):
    out = set()
    for name, value in msg.raw_items():
        if name.lower() not in (h.lower() for h in ADDR_HEADERS):
            continue
        for _, addr in email.utils.getaddresses([raw_to_text(unfold(value))]):
            norm = normalize_address(addr)
            if norm:
                out.add(norm)
    return out


def first_raw(msg, name):
    for k, v in msg.raw_items():
        if k.lower() == name.lower():
            return v
    return None


def decoded_subject(msg):
    raw = first_raw(msg, "Subject")
    if raw is None:
        return ""
    text = raw_to_text(unfold(raw))
    return str(make_header(decode_header(text)))


def message_date(msg):
    raw = first_raw(msg, "Date")
    if raw is None:
        return ""
    try:
        dt = email.utils.parsedate_to_datetime(unfold(raw).strip())
    except (TypeError, ValueError, IndexError):
        return ""
    if dt is None:
        return ""
    return str(int(dt.timestamp()))


def walk(part, inner_addresses):
    """(attachments, embedded) below part, the leakaudit way."""
    atts = emb = 0
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        emb += 1
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if inner is not None:
            inner_addresses |= header_addresses(inner)
            a, e = walk(inner, inner_addresses)
            atts += a
            emb += e
    elif part.is_multipart():
        for sub in part.get_payload():
            a, e = walk(sub, inner_addresses)
            atts += a
            emb += e
    else:
        filename = part.get_filename() or part.get_param("name")
        disp = part.get_content_disposition()
        if filename or disp == "attachment" or part.get_content_maintype() != "text":
            atts += 1
    return atts, emb


def analyse(data):
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    inner = set()
    atts, emb = walk(msg, inner)
    mid = first_raw(msg, "Message-ID")
    mid = unfold(mid).strip().strip("<>") if mid else ""
    return {
        "message_id": mid,
        "subject": decoded_subject(msg),
        "date": message_date(msg),
        "attachments": atts,
        "embedded": emb,
        "addresses": header_addresses(msg),
        "inner_addresses": inner,
        "size": len(data),
        "sha": hashlib.sha256(data).hexdigest(),
    }


# --- stores -------------------------------------------------------------

def split_mbox(data):
    """Correct splitter: From_ lines at the start or after a blank line;
    a Content-Length that lands on a separator (or EOF) wins; mboxrd/mboxo
    quoting undone.  Returns the message bytes in order."""
    seps = [m.start() for m in re.finditer(rb"(?:^|(?<=\n\n))From ", data)]
    msgs = []
    i = 0
    pos = seps[0] if seps else len(data)
    while pos < len(data):
        eol = data.index(b"\n", pos) + 1
        hdr_end = data.find(b"\n\n", eol)
        end = None
        if hdr_end >= 0:
            m = re.search(rb"^Content-Length:\s*(\d+)\s*$", data[eol:hdr_end + 1], re.M | re.I)
            if m:
                body = hdr_end + 2
                stop = body + int(m.group(1))
                if stop == len(data) or data[stop:stop + 6] == b"\nFrom ":
                    end = stop
        if end is None:
            later = [s for s in seps if s > pos]
            end = later[0] - 1 if later else len(data)
            if not later and data.endswith(b"\n\n"):
                end = len(data) - 1
        msg = data[eol:end]
        msg = re.sub(rb"(?m)^>(>*From )", rb"\1", msg)
        msgs.append(msg)
        nxt = [s for s in seps if s > end - 1]
        pos = nxt[0] if nxt else len(data)
        i += 1
    return msgs


def read_store(outdir):
    """{(path, ordinal): (store, folder, flags, bytes)} plus file counts."""
    found = {}
    counts = {"tmp": 0, "markers": 0, "other": 0, "folders": 0, "naive_mbox": 0}
    mroot = os.path.join(outdir, "maildir")
    for dirpath, dirnames, filenames in os.walk(mroot):
        dirnames.sort()
        if {"cur", "new", "tmp"} <= set(dirnames):
            counts["folders"] += 1
        sub = os.path.basename(dirpath)
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            rel = os.path.relpath(full, outdir)
            if sub == "tmp":
                counts["tmp"] += 1
            elif os.path.getsize(full) == 0:
                counts["markers"] += 1
            elif sub in ("cur", "new"):
                box = os.path.dirname(dirpath)
                name = os.path.basename(box)
                folder = name[1:].replace(".", "/") if name.startswith(".") else "INBOX"
                flags = fn.split(":2,", 1)[1] if sub == "cur" and ":2," in fn else ""
                with open(full, "rb") as f:
                    found[(rel, 0)] = ("maildir", folder, flags, f.read())
            else:
                counts["other"] += 1
    eroot = os.path.join(outdir, "eml")
    for dirpath, dirnames, filenames in os.walk(eroot):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            rel = os.path.relpath(full, outdir)
            with open(full, "rb") as f:
                data = f.read()
            if fn.endswith(".emlx"):
                nl = data.index(b"\n")
                count = int(data[:nl].strip())
                data = data[nl + 1:nl + 1 + count]
            found[(rel, 0)] = ("eml", os.path.relpath(dirpath, outdir), "", data)
    broot = os.path.join(outdir, "mbox")
    if os.path.isdir(broot):
        for fn in sorted(os.listdir(broot)):
            full = os.path.join(broot, fn)
            rel = os.path.relpath(full, outdir)
            with open(full, "rb") as f:
                msgs = split_mbox(f.read())
            for i, data in enumerate(msgs):
                found[(rel, i)] = ("mbox", fn, "", data)
            counts["naive_mbox"] += len(mailbox.mbox(full, create=False)) - len(msgs)
    return found, counts


# --- address books --------------------------------------------------------

def check_vcf(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    text = re.sub(r"\r\n[ \t]", "", text)
    cards = emails = 0
    addrs = set()
    for line in text.split("\r\n"):
        if line == "BEGIN:VCARD":
            cards += 1
        name = line.split(":", 1)[0].split(";", 1)[0]
        if name.split(".")[-1].upper() == "EMAIL":
            emails += 1
            addrs.add(normalize_address(line.split(":", 1)[1]))
    return cards, emails, addrs


def check_ldif(path):
    import base64
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    text = re.sub(r"\n ", "", text)
    cards = emails = 0
    addrs = set()
    for entry in text.split("\n\n"):
        lines = [l for l in entry.split("\n") if l]
        if not lines:
            continue
        if lines[0].startswith("dn:"):
            cards += 1
        for l in lines:
            attr, _, val = l.partition(":")
            if val.startswith(":"):
                val = base64.b64decode(val[1:].strip()).decode("utf-8")
            if attr in ("mail", "mozillaSecondEmail"):
                emails += 1
                addrs.add(normalize_address(val.strip()))
    return cards, emails, addrs


def check_csv(path):
    with open(path, "rb") as f:
        text = f.read().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, rows = rows[0], rows[1:]
    cols = [i for i, h in enumerate(header) if h.startswith("Adresse de messagerie")]
    emails = 0
    addrs = set()
    for r in rows:
        for i in cols:
            if r[i]:
                emails += 1
                addrs.add(normalize_address(r[i]))
    return len(rows), emails, addrs


# --- main -----------------------------------------------------------------

def main(argv):
    stats = "--stats" in argv
    args = [a for a in argv[1:] if a != "--stats"]
    if len(args) != 1:
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    outdir = args[0]
    with open(os.path.join(outdir, "manifest.tsv"), encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = list(reader)
    summary = {}
    with open(os.path.join(outdir, "summary.txt"), encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            summary[k] = v

    found, counts = read_store(outdir)
    by_key = {(r["path"], int(r["ordinal"])): r for r in rows}
    for key in sorted(set(found) - set(by_key)):
        problem(f"{key}: message on disk, not in the manifest")
    for key in sorted(set(by_key) - set(found)):
        problem(f"{key}: in the manifest, not found on disk")

    top, all_addrs, shas = set(), set(), {}
    totals = {"messages": 0, "attachments": 0, "embedded": 0, "maildir": 0, "mbox": 0,
              "eml": 0, "nomsgid": 0, "nodate": 0}
    sizes, with_att = [], 0
    for key in sorted(set(found) & set(by_key)):
        store, folder, flags, data = found[key]
        row = by_key[key]
        a = analyse(data)
        got = {
            "store": store, "folder": folder, "flags": flags,
            "message_id": a["message_id"], "subject": a["subject"], "date": a["date"],
            "attachments": str(a["attachments"]), "embedded": str(a["embedded"]),
            "addresses": ",".join(sorted(a["addresses"])), "size": str(a["size"]),
        }
        for field, value in got.items():
            if row[field] != value:
                problem(f"{key}: {field}: manifest {row[field]!r}, found {value!r}")
        shas.setdefault(a["sha"], []).append((key, row["dup_group"]))
        top |= a["addresses"]
        all_addrs |= a["addresses"] | a["inner_addresses"]
        totals["messages"] += 1
        totals["attachments"] += a["attachments"]
        totals["embedded"] += a["embedded"]
        totals[store] += 1
        totals["nomsgid"] += not a["message_id"]
        totals["nodate"] += not a["date"]
        sizes.append(a["size"])
        with_att += a["attachments"] > 0

    dup_deliveries = dup_groups = 0
    for sha, members in shas.items():
        groups = {g for _, g in members}
        if len(members) > 1:
            dup_deliveries += len(members) - 1
            dup_groups += 1
            if len(groups) != 1 or "" in groups:
                problem(f"identical bytes, dup_group {sorted(groups)}: {[k for k, _ in members]}")
    seen = {}
    for sha, members in shas.items():
        for key, g in members:
            if g and seen.setdefault(g, sha) != sha:
                problem(f"dup_group {g} holds different bytes ({key})")

    expect = {
        "messages": totals["messages"], "attachments": totals["attachments"],
        "embedded_messages": totals["embedded"], "duplicate_deliveries": dup_deliveries,
        "duplicate_groups": dup_groups, "unique_addresses": len(top),
        "unique_addresses_with_embedded": len(all_addrs),
        "maildir_messages": totals["maildir"], "mbox_messages": totals["mbox"],
        "eml_messages": totals["eml"], "maildir_folders": counts["folders"],
        "maildir_tmp_files": counts["tmp"], "maildir_marker_files": counts["markers"],
        "maildir_other_files": counts["other"],
        "mbox_naive_split_extra": counts["naive_mbox"],
        "messages_without_message_id": totals["nomsgid"],
        "messages_without_valid_date": totals["nodate"],
    }
    abdir = os.path.join(outdir, "addressbooks")
    if os.path.isdir(abdir):
        ab_cards = ab_emails = 0
        ab_addrs = set()
        for fn, fun in (("contacts.vcf", check_vcf), ("thunderbird.ldif", check_ldif),
                        ("outlook.csv", check_csv)):
            c, e, s = fun(os.path.join(abdir, fn))
            key = fn.replace(".", "_")
            expect[key + "_cards"] = c
            expect[key + "_emails"] = e
            ab_cards += c
            ab_emails += e
            ab_addrs |= s
        expect["addressbook_entries"] = ab_cards
        expect["addressbook_emails"] = ab_emails
        expect["addressbook_unique_addresses"] = len(ab_addrs)
    for k, v in expect.items():
        if summary.get(k) != str(v):
            problem(f"summary.txt: {k}={summary.get(k)}, found {v}")

    if stats and sizes:
        sizes.sort()
        n = len(sizes)
        pct = lambda p: sizes[min(n - 1, int(p * n))]
        in_2_8 = sum(2048 <= s <= 8192 for s in sizes)
        print(f"messages {n}: size p10 {pct(.1)} p50 {pct(.5)} p90 {pct(.9)} max {sizes[-1]}; "
              f"2-8 KB {100 * in_2_8 / n:.1f}%; with attachments {100 * with_att / n:.1f}%")
    for p in PROBLEMS[:50]:
        print("FAIL", p)
    if len(PROBLEMS) > 50:
        print(f"... and {len(PROBLEMS) - 50} more")
    checks = len(rows) + len(expect)
    print(f"{checks - len(PROBLEMS)} passed, {len(PROBLEMS)} failed")
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
