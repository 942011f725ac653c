/*
 * Unit tests of src/identity/normalise.c, outside the server with the
 * sanitizers.  normalise.c decodes UTF-8 with compare.c's decoder, and
 * scripts/unit-test.sh links only NAME.c, so that file is included here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"
#include "identity/compare.c"

static int	passed = 0;
static int	failed = 0;

static void
expect_fold(const char *in, int digits, const char *want)
{
	char		out[256];
	int			n = omni_fold_str(in, (int) strlen(in), out, sizeof(out), digits);

	if (strcmp(out, want) != 0 || n != (int) strlen(want))
	{
		printf("FAIL fold(\"%s\") = \"%s\", want \"%s\"\n", in, out, want);
		failed++;
	}
	else
		passed++;
}

static void
expect_date(const char *in, const char *want)
{
	char		out[9] = "";
	int			n = omni_parse_date(in, (int) strlen(in), out);

	if ((want == NULL && n != 0) || (want != NULL && (n != 8 || strcmp(out, want) != 0)))
	{
		printf("FAIL parse_date(\"%s\") = %d \"%s\", want \"%s\"\n", in, n, n ? out : "",
			   want ? want : "(none)");
		failed++;
	}
	else
		passed++;
}

int
main(void)
{
	char		out[64];

	expect_fold("São Paulo", 1, "sao paulo");
	expect_fold("  MÜLLER-Lüdenscheidt ", 0, "muller ludenscheidt");
	expect_fold("O'Brien", 0, "obrien");
	expect_fold("O’Brien", 0, "obrien");
	expect_fold("Straße 12", 1, "strasse 12");
	expect_fold("Straße 12", 0, "strasse");
	expect_fold("Łódź", 0, "lodz");
	expect_fold("Ærøskøbing", 0, "aeroskobing");
	expect_fold("José  da   Silva", 0, "jose da silva");
	expect_fold("Ελένη", 0, "Ελένη");
	expect_fold("", 0, "");
	expect_fold("---", 0, "");

	omni_fold_postcode("01310-100", 9, out, sizeof(out));
	if (strcmp(out, "01310100") == 0)
		passed++;
	else
		failed++, printf("FAIL postcode 01310-100 -> %s\n", out);
	omni_fold_postcode("sw1a 1aa", 8, out, sizeof(out));
	if (strcmp(out, "SW1A1AA") == 0)
		passed++;
	else
		failed++, printf("FAIL postcode sw1a 1aa -> %s\n", out);
	/* one OCR'd digit in a numeric code is read back; codes with letters stay */
	omni_fold_postcode("27S34", 5, out, sizeof(out));
	if (strcmp(out, "27534") == 0)
		passed++;
	else
		failed++, printf("FAIL postcode 27S34 -> %s\n", out);
	omni_fold_postcode("1234 AB", 7, out, sizeof(out));
	if (strcmp(out, "1234AB") == 0)
		passed++;
	else
		failed++, printf("FAIL postcode 1234 AB -> %s\n", out);
	omni_fold_postcode("K1A 0B1", 7, out, sizeof(out));
	if (strcmp(out, "K1A0B1") == 0)
		passed++;
	else
		failed++, printf("FAIL postcode K1A 0B1 -> %s\n", out);

	expect_date("1981-05-07", "19810507");
	expect_date("19810507", "19810507");
	expect_date("1981/05/07", "19810507");
	expect_date("1981-05-07T00:00:00Z", "19810507");
	expect_date("1981-13-40", "19811340");
	expect_date("07/05/1981", NULL);
	expect_date("1981-5-7", NULL);
	expect_date("198105071", NULL);
	expect_date("", NULL);

	/* random bytes: never overflow, output is always folded text */
	srand(42);
	for (int iter = 0; iter < 3000; iter++)
	{
		char		in[40];
		char		small[8];
		int			len = rand() % 40;
		int			n,
					ok = 1;

		for (int i = 0; i < len; i++)
			in[i] = (char) (rand() % 256);
		n = omni_fold_str(in, len, small, sizeof(small), iter & 1);
		if (n < 0 || n >= (int) sizeof(small) || small[n] != '\0')
			ok = 0;
		for (int i = 0; i < n; i++)
			if (small[i] >= 'A' && small[i] <= 'Z')
				ok = 0;
		if (n > 0 && (small[0] == ' ' || small[n - 1] == ' '))
			ok = 0;
		if (ok)
			passed++;
		else
		{
			failed++;
			printf("FAIL random fold, length %d\n", len);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
