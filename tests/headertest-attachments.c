/* leakaudit/attachments.h must compile on its own under -pedantic -Werror. */
#include <leakaudit/attachments.h>

int
main(void)
{
	lka_triage_opts o;

	lka_triage_opts_default(&o);
	return o.max_bytes > 0 ? 0 : 1;
}
