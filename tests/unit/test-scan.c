/*
 * test-scan.c — scanning sources: a temporary tree with a maildir (cur,
 * new, tmp, Maildir++ subfolders, markers, a dot-file), an mbox, an eml
 * without extension, a binary file, a symlink and a fifo.  Checks roles,
 * folders, canonical order, and that the folder hash is the coreutils
 * recipe computed independently (and by sha256sum itself when present).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scan.h"
#include "tap.h"

/* ---- building the tree ---- */

static const char eml1[] = "From: a@example.org\nTo: b@example.org\nSubject: one\n\nbody one\n";
static const char eml2[] = "Return-Path: <c@example.org>\nFrom: c@example.org\nSubject: two\n\nx\n";
static const char mbox[] = "From a@x Mon Jun  1 10:00:00 2009\nSubject: m1\n\none\n\n"
			   "From b@x Mon Jun  1 11:00:00 2009\nSubject: m2\n\ntwo\n";
static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

static char root[256];

static void
put(const char *rel, const char *data, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "cannot create %s: %s\n", path, strerror(errno));
		exit(99);
	}
	fwrite(data, 1, n, f);
	fclose(f);
}

static void
dir(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", root, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "cannot mkdir %s: %s\n", path, strerror(errno));
		exit(99);
	}
}

static void
build_tree(void)
{
	char path[1024], target[1024];

	dir("src");
	dir("src/Mail");
	dir("src/Mail/cur");
	dir("src/Mail/new");
	dir("src/Mail/tmp");
	put("src/Mail/cur/1000.host:2,RS", eml1, sizeof eml1 - 1);
	put("src/Mail/cur/.hidden", "junk\n", 5);
	put("src/Mail/new/1001.host", eml2, sizeof eml2 - 1);
	put("src/Mail/new/1002.host", binary, sizeof binary - 1); /* not mail: ignored */
	put("src/Mail/cur/1006.host:2,", "%PDF-1.4\n% no NUL early\n", 25); /* not mail either */
	put("src/Mail/tmp/1003.host", eml1, sizeof eml1 - 1);
	put("src/Mail/dovecot-uidlist", "3 V1 N2\n1 :a\n", 13);
	dir("src/Mail/.Sent");
	dir("src/Mail/.Sent/cur");
	put("src/Mail/.Sent/cur/1004.host:2,S", eml1, sizeof eml1 - 1);
	put("src/Mail/.Sent/maildirfolder", "", 0);
	dir("src/Mail/.Lists.linux");
	dir("src/Mail/.Lists.linux/new");
	dir("src/Mail/.Lists.linux/tmp");
	put("src/Mail/.Lists.linux/new/1005.host", eml2, sizeof eml2 - 1);
	put("src/box.mbox", mbox, sizeof mbox - 1);
	dir("src/notes");
	put("src/notes/letter", eml2, sizeof eml2 - 1);
	put("src/notes/blob.bin", binary, sizeof binary - 1);
	put("src/notes/empty", "", 0);
	put("src/notes/back\\slash", eml1, sizeof eml1 - 1); /* sha256sum escapes this name */
	put("src/notes/Zeta", "Z\n", 2);                      /* sorts before lower case */
	snprintf(path, sizeof path, "%s/src/link", root);
	snprintf(target, sizeof target, "%s/src/notes/letter", root);
	if (symlink(target, path) < 0)
		exit(99);
	snprintf(path, sizeof path, "%s/src/notes/fifo", root);
	if (mkfifo(path, 0600) < 0)
		exit(99);
	dir("src/deep");
	dir("src/deep/a");
	dir("src/deep/a/b");
	dir("src/deep/a/b/c");
	put("src/deep/a/b/c/msg.eml", eml1, sizeof eml1 - 1);
}

static const lka_scan_file *
find(const lka_scan *s, const char *rel)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].relpath, rel) == 0)
			return &s->files[i];
	return NULL;
}

static bool
streq(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

static void
check_file(const lka_scan *s, const char *rel, lka_file_role role, lka_format fmt,
	   const char *folder, const char *folder_class, const char *sub)
{
	const lka_scan_file *f = find(s, rel);

	if (!f) {
		ok(0, "%s listed", rel);
		return;
	}
	ok(f->role == role && f->format == fmt && streq(f->folder_path, folder) &&
		   streq(f->folder_class, folder_class) && streq(f->maildir_sub, sub),
	   "%s: %s %s folder '%s' (%s)%s%s  [got %s %s '%s' (%s) %s; note %s]", rel,
	   lka_file_role_name(role), lka_format_name(fmt), folder, folder_class,
	   sub ? " sub " : "", sub ? sub : "", lka_file_role_name(f->role),
	   lka_format_name(f->format), f->folder_path ? f->folder_path : "(null)",
	   f->folder_class ? f->folder_class : "(null)", f->maildir_sub ? f->maildir_sub : "-",
	   f->note ? f->note : "-");
}

/* ---- the manifest, computed without scan.c ---- */

typedef struct names {
	char **v;
	size_t n, cap;
} names;

static void
collect(const char *abs, const char *rel, names *out)
{
	char path[2048], sub[2048];
	struct stat st;
	DIR *d = opendir(abs);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", abs, de->d_name);
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			collect(path, sub, out);
		} else if (S_ISREG(st.st_mode)) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 16;
				out->v = realloc(out->v, out->cap * sizeof *out->v);
			}
			out->v[out->n++] = strdup(sub);
		}
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sha256 of "<hex>  <relpath>\n" lines, names escaped as GNU sha256sum does. */
static void
manifest_hash(const char *abs, char hex_out[LKA_SHA256_HEX], size_t *count)
{
	names nm = { 0 };
	lka_buf text;
	uint8_t d[LKA_SHA256_LEN];
	char hex[LKA_SHA256_HEX], path[2048];

	collect(abs, "", &nm);
	qsort(nm.v, nm.n, sizeof *nm.v, cmp_str);
	lka_buf_init(&text, 0);
	for (size_t i = 0; i < nm.n; i++) {
		bool esc = strpbrk(nm.v[i], "\\\n\r") != NULL;
		snprintf(path, sizeof path, "%s/%s", abs, nm.v[i]);
		if (lka_sha256_file(path, d, NULL, NULL) != LKA_OK)
			continue;
		lka_sha256_hex(d, hex);
		lka_buf_printf(&text, "%s%s  ", esc ? "\\" : "", hex);
		for (const char *p = nm.v[i]; *p; p++) {
			if (*p == '\\')
				lka_buf_adds(&text, "\\\\");
			else if (*p == '\n')
				lka_buf_adds(&text, "\\n");
			else if (*p == '\r')
				lka_buf_adds(&text, "\\r");
			else
				lka_buf_addc(&text, *p);
		}
		lka_buf_addc(&text, '\n');
		free(nm.v[i]);
	}
	lka_sha256_buf(text.data, text.len, d);
	lka_sha256_hex(d, hex_out);
	*count = nm.n;
	lka_buf_free(&text);
	free(nm.v);
}

/* The recipe of scan.h run by the shell, if the tools are there; "" otherwise. */
static void
coreutils_hash(const char *abs, char out[LKA_SHA256_HEX])
{
	char cmd[2048];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof cmd,
		 "cd '%s' 2>/dev/null && find . -type f | cut -c3- | LC_ALL=C sort | "
		 "xargs -d '\\n' sha256sum 2>/dev/null | sha256sum 2>/dev/null",
		 abs);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(out, LKA_SHA256_HEX, p) || strlen(out) != 64)
		out[0] = '\0';
	pclose(p);
}

static void
test_folder(void)
{
	char abs[512], hex[LKA_SHA256_HEX], want[LKA_SHA256_HEX], cu[LKA_SHA256_HEX];
	lka_limits lim;
	lka_error err = { 0 };
	lka_scan s;
	lka_status st;
	size_t nreg = 0;
	bool sorted = true;
	uint64_t bytes = 0;

	lka_limits_default(&lim);
	snprintf(abs, sizeof abs, "%s/src", root);
	st = lka_scan_source(&s, abs, &lim, &err);
	ok(st == LKA_OK, "folder scan ok (%s)", err.msg);
	ok(s.is_dir && s.kind == LKA_FMT_FOLDER, "folder source: kind folder (got %s)",
	   lka_format_name(s.kind));
	ok(s.n_files == 19, "19 entries listed (got %zu)", s.n_files);
	for (size_t i = 0; i + 1 < s.n_files; i++)
		if (strcmp(s.files[i].relpath, s.files[i + 1].relpath) >= 0)
			sorted = false;
	ok(sorted, "sorted bytewise by relpath");
	for (size_t i = 0; i < s.n_files; i++)
		bytes += s.files[i].size;
	ok(s.bytes == bytes && bytes > 0, "bytes = sum of sizes (%llu)",
	   (unsigned long long)s.bytes);

	check_file(&s, "Mail/cur/1000.host:2,RS", LKA_ROLE_MESSAGES, LKA_FMT_EML, "Mail", "maildir", "cur");
	check_file(&s, "Mail/cur/.hidden", LKA_ROLE_IGNORED, LKA_FMT_UNKNOWN, "Mail", "maildir", NULL);
	check_file(&s, "Mail/new/1001.host", LKA_ROLE_MESSAGES, LKA_FMT_EML, "Mail", "maildir", "new");
	check_file(&s, "Mail/new/1002.host", LKA_ROLE_IGNORED, LKA_FMT_UNKNOWN, "Mail", "maildir", NULL);
	check_file(&s, "Mail/cur/1006.host:2,", LKA_ROLE_IGNORED, LKA_FMT_UNKNOWN, "Mail", "maildir", NULL);
	check_file(&s, "Mail/tmp/1003.host", LKA_ROLE_MAILDIR_TMP, LKA_FMT_EML, "Mail", "maildir", NULL);
	check_file(&s, "Mail/dovecot-uidlist", LKA_ROLE_IGNORED, LKA_FMT_UNKNOWN, "Mail", "maildir", NULL);
	check_file(&s, "Mail/.Sent/cur/1004.host:2,S", LKA_ROLE_MESSAGES, LKA_FMT_EML, "Mail/Sent",
		   "maildir", "cur");
	check_file(&s, "Mail/.Sent/maildirfolder", LKA_ROLE_EMPTY, LKA_FMT_UNKNOWN, "Mail/Sent",
		   "maildir", NULL);
	check_file(&s, "Mail/.Lists.linux/new/1005.host", LKA_ROLE_MESSAGES, LKA_FMT_EML,
		   "Mail/Lists/linux", "maildir", "new");
	check_file(&s, "box.mbox", LKA_ROLE_MESSAGES, LKA_FMT_MBOX, "box.mbox", "mbox", NULL);
	check_file(&s, "notes/letter", LKA_ROLE_MESSAGES, LKA_FMT_EML, "notes", "directory", NULL);
	check_file(&s, "notes/blob.bin", LKA_ROLE_IGNORED, LKA_FMT_UNKNOWN, "notes", "directory", NULL);
	check_file(&s, "notes/empty", LKA_ROLE_EMPTY, LKA_FMT_UNKNOWN, "notes", "directory", NULL);
	check_file(&s, "notes/back\\slash", LKA_ROLE_MESSAGES, LKA_FMT_EML, "notes", "directory", NULL);
	check_file(&s, "notes/Zeta", LKA_ROLE_IGNORED, LKA_FMT_UNKNOWN, "notes", "directory", NULL);
	check_file(&s, "notes/fifo", LKA_ROLE_SPECIAL, LKA_FMT_UNKNOWN, "notes", "directory", NULL);
	check_file(&s, "link", LKA_ROLE_SPECIAL, LKA_FMT_UNKNOWN, "", "directory", NULL);
	check_file(&s, "deep/a/b/c/msg.eml", LKA_ROLE_MESSAGES, LKA_FMT_EML, "deep/a/b/c", "directory",
		   NULL);
	{
		const lka_scan_file *l = find(&s, "link"), *m = find(&s, "box.mbox");
		uint8_t d[LKA_SHA256_LEN];
		lka_sha256_buf("", 0, d);
		ok(l && l->size == 0 && memcmp(l->sha256, d, sizeof d) == 0 && l->note,
		   "symlink: size 0, sha256 of nothing, a note");
		lka_sha256_buf(mbox, sizeof mbox - 1, d);
		ok(m && m->size == sizeof mbox - 1 && memcmp(m->sha256, d, sizeof d) == 0,
		   "mbox: size and sha256");
		ok(find(&s, "Mail/new/1002.host") && find(&s, "Mail/new/1002.host")->note,
		   "non-mail file in a maildir has a note");
	}
	manifest_hash(abs, want, &nreg);
	lka_sha256_hex(s.sha256, hex);
	ok(strcmp(hex, want) == 0, "folder sha256 = independent manifest hash over %zu files",
	   nreg);
	coreutils_hash(abs, cu);
	if (cu[0])
		ok(strcmp(hex, cu) == 0, "folder sha256 = find|sort|sha256sum recipe (%s)", cu);
	else
		skip(1, "coreutils recipe: tools not available");
	ok(s.diags.n == 0, "no scan diagnostics (got %zu)", s.diags.n);
	lka_scan_clear(&s);

	/* depth limit: Mail/.Sent/cur is at depth 3, deep/a/b/c at 4 */
	lim.folder_depth = 3;
	st = lka_scan_source(&s, abs, &lim, &err);
	ok(st == LKA_OK && !find(&s, "deep/a/b/c/msg.eml") && find(&s, "Mail/.Sent/cur/1004.host:2,S") &&
		   s.diags.n == 1 && s.diags.v[0].kind == LKA_E_LIMIT &&
		   streq(s.diags.v[0].location, "deep/a/b/c"),
	   "depth limit 3: deep/a/b/c not scanned, one limit diagnostic");
	lka_scan_clear(&s);
}

/* Many files of many sizes (more than the scan keeps open at once, some
 * read in several chunks): every hash as computed on its own, the manifest too. */
static void
test_many(void)
{
	char abs[512], rel[64], hex[LKA_SHA256_HEX], want[LKA_SHA256_HEX];
	size_t n = 0, wrong = 0, nreg = 0;
	uint64_t state = 42;
	char *buf = malloc(3u << 20);
	lka_error err = { 0 };
	lka_status st;
	lka_scan s;

	if (!buf)
		exit(99);
	dir("many");
	for (int i = 0; i < 300; i++) {
		size_t len = i % 50 == 7 ? (size_t)(1u << 20) + (size_t)i * 997 : (size_t)(i * 131) % 9000;
		for (size_t k = 0; k < len; k++) {
			state = state * 6364136223846793005u + 1442695040888963407u;
			buf[k] = (char)(state >> 56);
		}
		snprintf(rel, sizeof rel, "many/f%03d", i);
		put(rel, buf, len);
	}
	free(buf);
	snprintf(abs, sizeof abs, "%s/many", root);
	st = lka_scan_source(&s, abs, NULL, &err);
	ok(st == LKA_OK && s.n_files == 300, "300 files scanned (%zu)", s.n_files);
	for (size_t i = 0; i < s.n_files; i++) {
		char path[1024];
		uint8_t d[LKA_SHA256_LEN];
		uint64_t size = 0;

		snprintf(path, sizeof path, "%s/%s", abs, s.files[i].relpath);
		if (lka_sha256_file(path, d, &size, NULL) != LKA_OK ||
		    memcmp(d, s.files[i].sha256, sizeof d) != 0 || size != s.files[i].size)
			wrong++;
		n++;
	}
	ok(n == 300 && wrong == 0, "every file's hash and size as computed alone (%zu wrong)", wrong);
	manifest_hash(abs, want, &nreg);
	lka_sha256_hex(s.sha256, hex);
	ok(strcmp(hex, want) == 0 && nreg == 300, "folder sha256 = independent manifest hash");
	ok(s.diags.n == 0, "no scan diagnostics (got %zu)", s.diags.n);
	lka_scan_clear(&s);
}

static void
test_maildir_root(void)
{
	char abs[512];
	lka_error err = { 0 };
	lka_scan s;

	snprintf(abs, sizeof abs, "%s/src/Mail", root);
	ok(lka_scan_source(&s, abs, NULL, &err) == LKA_OK, "maildir source scanned");
	ok(s.kind == LKA_FMT_MAILDIR, "maildir source: kind maildir (got %s)",
	   lka_format_name(s.kind));
	check_file(&s, "cur/1000.host:2,RS", LKA_ROLE_MESSAGES, LKA_FMT_EML, "", "maildir", "cur");
	check_file(&s, ".Sent/cur/1004.host:2,S", LKA_ROLE_MESSAGES, LKA_FMT_EML, "Sent", "maildir",
		   "cur");
	check_file(&s, ".Lists.linux/new/1005.host", LKA_ROLE_MESSAGES, LKA_FMT_EML, "Lists/linux",
		   "maildir", "new");
	lka_scan_clear(&s);
}

static void
test_file_sources(void)
{
	char abs[512];
	lka_error err = { 0 };
	uint8_t d[LKA_SHA256_LEN];
	lka_scan s;

	snprintf(abs, sizeof abs, "%s/src/box.mbox", root);
	ok(lka_scan_source(&s, abs, NULL, &err) == LKA_OK, "file source scanned");
	lka_sha256_buf(mbox, sizeof mbox - 1, d);
	ok(!s.is_dir && s.kind == LKA_FMT_MBOX && s.n_files == 1 &&
		   streq(s.files[0].relpath, "box.mbox") && streq(s.files[0].folder_path, "") &&
		   s.files[0].role == LKA_ROLE_MESSAGES && memcmp(s.sha256, d, sizeof d) == 0 &&
		   s.bytes == sizeof mbox - 1 && s.root && s.root[0] == '/',
	   "mbox file source: one file, kind mbox, file hash, absolute root");
	lka_scan_clear(&s);

	snprintf(abs, sizeof abs, "%s/src/notes/blob.bin", root);
	ok(lka_scan_source(&s, abs, NULL, &err) == LKA_OK && s.kind == LKA_FMT_UNKNOWN &&
		   s.n_files == 1 && s.files[0].role == LKA_ROLE_IGNORED && s.diags.n == 1,
	   "unknown file source: still a source, role ignored, a diagnostic");
	lka_scan_clear(&s);

	snprintf(abs, sizeof abs, "%s/src/link", root);
	ok(lka_scan_source(&s, abs, NULL, &err) == LKA_FATAL && s.n_files == 0,
	   "symlink source refused: %s", err.msg);
	snprintf(abs, sizeof abs, "%s/src/nothing-here", root);
	ok(lka_scan_source(&s, abs, NULL, &err) == LKA_FATAL && err.sys == ENOENT,
	   "missing source: fatal, ENOENT");
	snprintf(abs, sizeof abs, "%s/src/notes/fifo", root);
	ok(lka_scan_source(&s, abs, NULL, &err) == LKA_FATAL, "fifo source refused");
	lka_scan_clear(&s);
}

/*
 * Unreadable entries: a file and a folder with mode 0.  Root reads them
 * anyway, so as root the scan runs in a child that became "nobody".
 * Returns a bit per failed check.
 */
static int
unreadable_checks(const char *abs)
{
	lka_error err = { 0 };
	lka_scan s;
	const lka_scan_file *f;
	int bad = 0;

	if (lka_scan_source(&s, abs, NULL, &err) != LKA_OK)
		return 0xf;
	f = find(&s, "secret.eml");
	if (!f || f->role != LKA_ROLE_UNREADABLE || !f->note)
		bad |= 1;
	if (!find(&s, "ok.eml") || find(&s, "ok.eml")->role != LKA_ROLE_MESSAGES)
		bad |= 2;
	if (s.diags.n != 2)
		bad |= 4;
	lka_scan_clear(&s);
	return bad;
}

static void
test_unreadable(void)
{
	char abs[512], secret[1024], closed[1024];
	int bad = 0;

	dir("unr");
	put("unr/ok.eml", eml1, sizeof eml1 - 1);
	put("unr/secret.eml", eml1, sizeof eml1 - 1);
	dir("unr/closed");
	snprintf(secret, sizeof secret, "%s/unr/secret.eml", root);
	snprintf(closed, sizeof closed, "%s/unr/closed", root);
	snprintf(abs, sizeof abs, "%s/unr", root);
	chmod(secret, 0);
	chmod(closed, 0);
	if (geteuid() != 0) {
		bad = unreadable_checks(abs);
	} else {
		pid_t pid;
		int status = 0;

		chmod(root, 0755);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			if (setgid(65534) < 0 || setuid(65534) < 0)
				_exit(0x10);
			_exit(unreadable_checks(abs));
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
			bad = 0xf;
		else
			bad = WEXITSTATUS(status);
	}
	if (bad == 0x10) {
		skip(4, "unreadable files: cannot drop root privileges");
	} else {
		ok(bad != 0xf, "scan with unreadable entries%s", geteuid() == 0 ? " (as nobody)" : "");
		ok(!(bad & 1), "unreadable file: role unreadable, with a note");
		ok(!(bad & 2), "the readable file next to it is still read");
		ok(!(bad & 4), "two diagnostics: the file and the folder");
	}
	chmod(closed, 0755);
	chmod(secret, 0644);
}

static void
test_flags(void)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{ "1000.host:2,RS", "RS" },
		{ "cur/1000.host,S=123:2,FRS", "FRS" },
		{ "/a/b:2,/1382298770.002195:2,", "" },
		{ "1000.host;2,S", "S" },
		{ "1000.host", NULL },
		{ "1000.host:1,xyz", NULL },
		{ "x:2,a b-c", "abc" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *f = lka_maildir_flags(cases[i].name);
		ok(streq(f, cases[i].want), "maildir flags of %s: %s", cases[i].name,
		   cases[i].want ? cases[i].want : "(none)");
		free(f);
	}
	ok(lka_maildir_flags(NULL) == NULL, "maildir flags of NULL");
	ok(strcmp(lka_file_role_name(LKA_ROLE_MAILDIR_TMP), "maildir-tmp") == 0 &&
		   strcmp(lka_file_role_name(LKA_ROLE_UNREADABLE), "unreadable") == 0 &&
		   strcmp(lka_file_role_name((lka_file_role)42), "unknown") == 0,
	   "role names");
}

static void
remove_tree(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", root, root);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", root);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof root, "%s/lka-test-scan-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	build_tree();
	test_folder();
	test_many();
	test_maildir_root();
	test_file_sources();
	test_unreadable();
	test_flags();
	remove_tree();
	return done_testing();
}
