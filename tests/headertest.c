/* The public header must compile on its own under -pedantic -Werror. */
#include <leakaudit/leakaudit.h>
#include <leakaudit/pii.h>

int
main(void)
{
	return lka_version_number() > 0 ? 0 : 1;
}
