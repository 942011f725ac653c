/*-------------------------------------------------------------------------
 *
 * phone_parse.c
 *	  Phone number parser producing E.164 numbers as 64-bit integers.
 *
 * Plain C99, no PostgreSQL headers, no allocation, no locale: see
 * phone_parse.h.  Every read of the input stops at its NUL, and digits are
 * counted before anything is accumulated into an integer, so the parser is
 * safe on arbitrary bytes (it is meant to be fuzzed).
 *
 * Outline of omni_phone_parse():
 *
 * 1. Leading and trailing blanks (space, tab, CR, LF) are skipped.  A '+'
 *	  may come first; after it only digits and the separators space, '-',
 *	  '.', '/', '(' and ')' are allowed.  Anything else, including a second
 *	  '+', letters (so extensions such as "x12" or "ext 5"), '#', '*', ',',
 *	  control characters and all non-ASCII bytes, is a bad character.
 *	  Parentheses are not checked for balance: they are only decoration.
 *
 * 2. International input ("+..."): the calling code is the 1 to 3 digit
 *	  prefix found in the ITU list (those codes are prefix-free, so the
 *	  match is unique).  If the main country of that code has a trunk
 *	  prefix starting with "0" and its national numbers never start with 0
 *	  (everywhere but Rwanda among such countries), one written trunk
 *	  prefix right after the code is dropped: "+44 (0)20 ..." is common.
 *
 * 3. National input (no '+'), with the default country:
 *	  - if the digits start with one of the country's international
 *		prefixes ("00", "011" in NANP, "0011" in Australia...), the rest is
 *		parsed as in 2; when several prefixes match, the first that yields
 *		a valid number wins, otherwise the error of the first one is
 *		reported;
 *	  - otherwise a trunk prefix is stripped if present.  A trunk prefix
 *		starting with "0" ("0", "06" for Hungary, "01" for Mexico) is always
 *		stripped, since national numbers there never start with 0.  Others
 *		("1" in NANP, "8" in Russia, Kazakhstan, Belarus...) are stripped
 *		only if what remains has a valid length for the country: in
 *		Russia, "8 800 555 3535" loses its first 8, while "800 555 3535"
 *		(a toll-free number written without the trunk prefix) keeps it;
 *	  - in Brazil, a 2-digit carrier selection code may follow the trunk
 *		"0": it is dropped when 12 or 13 digits remain after the "0".
 *
 * 4. Lengths: at most 15 digits in all; the national significant number
 *	  (NSN) within the country's bounds, or, for codes without bounds, at
 *	  least 4 digits and at least 8 digits in all.  The bounds come from
 *	  the table below; they never allow fewer than 8 digits in all except
 *	  for Niue, Tokelau and Saint Helena, whose 4-digit numbers are real.
 *	  Finally, in countries whose national numbers never start with 0, an
 *	  NSN that still starts with 0 (say "+44 0 020 ...") is refused as too
 *	  long: it has one digit, a stray trunk prefix, too many.  This keeps
 *	  every result canonical: formatting it and parsing it again gives the
 *	  same value, which the SQL type's output/input round trip depends on.
 *
 * Numbers are not checked beyond that (no area-code or number-range
 * validation): this is a normalizer with sanity checks, not libphonenumber.
 *
 * src/types/phone_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include "phone_parse.h"

#include <string.h>

#define PHONE_LENGTHOF(array) (sizeof(array) / sizeof((array)[0]))

/*
 * Input digits kept while scanning.  A valid number has at most 15 digits
 * plus what parsing removes: an international prefix (at most 5), a
 * written trunk prefix (at most 3) or trunk prefix and Brazilian carrier
 * code (3).  Any input with more digits than this is too long, whatever
 * else it might be.
 */
#define PHONE_MAX_INPUT_DIGITS	32

/* Longest trunk or international prefix alternative */
#define PHONE_MAX_PREFIX		5

/* PhoneCountry.flags */
#define PHONE_NSN_ZERO		0x01	/* national numbers may start with 0
									 * although the trunk prefix is "0" */
#define PHONE_BR_CARRIER	0x02	/* 2-digit carrier code may follow the
									 * trunk prefix (Brazil) */

/*
 * One entry per ISO 3166-1 alpha-2 code that has telephone service: all of
 * them but BV (Bouvet Island) and HM (Heard and McDonald Islands), plus XK
 * (Kosovo), which is no ISO code but the user-assigned one that the EU,
 * CLDR and libphonenumber use for a country with its own calling code.
 *
 * trunk and intl hold alternatives separated by single spaces, tried in
 * order; trunk is "" where numbers are dialled the same way nationally as
 * after the calling code (Italy, Spain, Norway, Denmark...).
 *
 * International prefixes: "00" where that is what people dial, which is
 * most of the world; "011" for all NANP members and the Marshall Islands;
 * "010" Japan; "0011" (and the carrier-specific 0014...0019) Australia and
 * its territories; "810" ("8", wait for tone, "10") Russia, Kazakhstan,
 * Belarus, Tajikistan and Turkmenistan; "000" Kenya; carrier-selecting
 * prefixes where dialling "00" alone does not work: Brazil ("00" + 2-digit
 * carrier), Colombia, South Korea, Hong Kong, Singapore, Taiwan, Thailand,
 * Indonesia, Cambodia, Mongolia, Nigeria, Tanzania, Uganda, Israel and a
 * few more.  For Brazil, Colombia, South Korea, Hong Kong and Thailand a
 * bare "00" comes last, as people write it.  Prefixes that do not start
 * with 0 (carrier prefixes of Finland, Iceland, Peru, China...) are left
 * out, as they could be mistaken for national numbers; Cuba's "119" is the
 * one exception, being its only prefix.
 *
 * Trunk prefixes: "0" in most countries that have one, "1" in NANP and the
 * Marshall Islands, "8" in Russia, Kazakhstan and Turkmenistan, "8" or
 * "80" in Belarus, "0" or the older "8" in Lithuania, "06" in Hungary,
 * and in Mexico the trunk prefixes abolished in 2019 ("01", and "044"/
 * "045" before mobile numbers), which are still found in data.
 *
 * min_nsn and max_nsn bound the length of the national significant number.
 * They are the union of the lengths of all number types in libphonenumber's
 * metadata for the country, clipped so that the whole E.164 number has 8
 * to 15 digits (Niue, Tokelau and Saint Helena excepted, see above), and
 * for countries sharing a calling code, clipped to the bounds of the main
 * country of that code (what international input is checked against).
 * The following are narrower on purpose, to catch typing mistakes in the
 * most common cases: NANP 10; GB 7-10; DE 6-13; FR 9; ES 9; IT 6-11;
 * BR 10-11 (refusing 8-digit "4004 xxxx" numbers, which cannot be dialled
 * from abroad); IN 10-11 (mobile and fixed numbers are 10 digits, 1800 and
 * 1860 numbers 10-11); JP 9-10; CN 7-12; AU 9-10 (9 for geographic and
 * mobile numbers, 10 for 1300/1800/1900 numbers); MX 10; RU and KZ 10.
 */
typedef struct PhoneCountry
{
	char		alpha2[3];		/* upper case, sorted */
	uint16_t	cc;				/* country calling code */
	uint8_t		min_nsn;		/* NSN length bounds */
	uint8_t		max_nsn;
	uint8_t		flags;			/* PHONE_NSN_ZERO, PHONE_BR_CARRIER */
	const char *trunk;			/* trunk prefix alternatives */
	const char *intl;			/* international prefix alternatives */
} PhoneCountry;

static const PhoneCountry phone_countries[] = {
	{"AD", 376, 6, 9, 0, "", "00"},	/* Andorra */
	{"AE", 971, 5, 12, 0, "0", "00"},	/* United Arab Emirates */
	{"AF", 93, 9, 9, 0, "0", "00"},	/* Afghanistan */
	{"AG", 1, 10, 10, 0, "1", "011"},	/* Antigua and Barbuda */
	{"AI", 1, 10, 10, 0, "1", "011"},	/* Anguilla */
	{"AL", 355, 6, 9, 0, "0", "00"},	/* Albania */
	{"AM", 374, 8, 8, 0, "0", "00"},	/* Armenia */
	{"AO", 244, 9, 9, 0, "", "00"},	/* Angola */
	{"AQ", 672, 6, 6, 0, "", "00"},	/* Antarctica */
	{"AR", 54, 10, 11, 0, "0", "00"},	/* Argentina */
	{"AS", 1, 10, 10, 0, "1", "011"},	/* American Samoa */
	{"AT", 43, 6, 13, 0, "0", "00"},	/* Austria */
	{"AU", 61, 9, 10, 0, "0", "0011 0014 0015 0016 0018 0019"},	/* Australia */
	{"AW", 297, 7, 7, 0, "", "00"},	/* Aruba */
	{"AX", 358, 5, 12, 0, "0", "00"},	/* Aland Islands */
	{"AZ", 994, 9, 9, 0, "0", "00"},	/* Azerbaijan */
	{"BA", 387, 8, 9, 0, "0", "00"},	/* Bosnia and Herzegovina */
	{"BB", 1, 10, 10, 0, "1", "011"},	/* Barbados */
	{"BD", 880, 6, 10, 0, "0", "00"},	/* Bangladesh */
	{"BE", 32, 8, 9, 0, "0", "00"},	/* Belgium */
	{"BF", 226, 8, 8, 0, "", "00"},	/* Burkina Faso */
	{"BG", 359, 6, 12, 0, "0", "00"},	/* Bulgaria */
	{"BH", 973, 8, 8, 0, "", "00"},	/* Bahrain */
	{"BI", 257, 8, 8, 0, "", "00"},	/* Burundi */
	{"BJ", 229, 8, 10, 0, "", "00"},	/* Benin */
	{"BL", 590, 9, 9, 0, "0", "00"},	/* Saint Barthelemy */
	{"BM", 1, 10, 10, 0, "1", "011"},	/* Bermuda */
	{"BN", 673, 7, 7, 0, "", "00"},	/* Brunei Darussalam */
	{"BO", 591, 8, 9, 0, "0", "00"},	/* Bolivia */
	{"BQ", 599, 7, 7, 0, "", "00"},	/* Bonaire */
	{"BR", 55, 10, 11, PHONE_BR_CARRIER, "0",
		"0012 0014 0015 0021 0022 0023 0025 0031 0041 0043 0055 0065 0099 00"},	/* Brazil */
	{"BS", 1, 10, 10, 0, "1", "011"},	/* Bahamas */
	{"BT", 975, 7, 8, 0, "", "00"},	/* Bhutan */
	{"BW", 267, 7, 10, 0, "", "00"},	/* Botswana */
	{"BY", 375, 6, 11, 0, "80 8", "810"},	/* Belarus */
	{"BZ", 501, 7, 11, 0, "", "00"},	/* Belize */
	{"CA", 1, 10, 10, 0, "1", "011"},	/* Canada */
	{"CC", 61, 9, 10, 0, "0", "0011 0014 0015 0016 0018 0019"},	/* Cocos (Keeling) Islands */
	{"CD", 243, 7, 10, 0, "0", "00"},	/* Congo, Democratic Republic */
	{"CF", 236, 8, 8, 0, "", "00"},	/* Central African Republic */
	{"CG", 242, 9, 9, 0, "", "00"},	/* Congo */
	{"CH", 41, 9, 12, 0, "0", "00"},	/* Switzerland */
	{"CI", 225, 10, 10, 0, "", "00"},	/* Cote d'Ivoire */
	{"CK", 682, 5, 5, 0, "", "00"},	/* Cook Islands */
	{"CL", 56, 9, 11, 0, "", "00"},	/* Chile */
	{"CM", 237, 8, 9, 0, "", "00"},	/* Cameroon */
	{"CN", 86, 7, 12, 0, "0", "00"},	/* China */
	{"CO", 57, 8, 11, 0, "0", "005 007 009 00414 00444 00456 00"},	/* Colombia */
	{"CR", 506, 8, 10, 0, "", "00"},	/* Costa Rica */
	{"CU", 53, 6, 10, 0, "0", "119"},	/* Cuba */
	{"CV", 238, 7, 7, 0, "", "0"},	/* Cabo Verde */
	{"CW", 599, 7, 8, 0, "", "00"},	/* Curacao */
	{"CX", 61, 9, 10, 0, "0", "0011 0014 0015 0016 0018 0019"},	/* Christmas Island */
	{"CY", 357, 8, 8, 0, "", "00"},	/* Cyprus */
	{"CZ", 420, 9, 12, 0, "", "00"},	/* Czechia */
	{"DE", 49, 6, 13, 0, "0", "00"},	/* Germany */
	{"DJ", 253, 8, 8, 0, "", "00"},	/* Djibouti */
	{"DK", 45, 8, 8, 0, "", "00"},	/* Denmark */
	{"DM", 1, 10, 10, 0, "1", "011"},	/* Dominica */
	{"DO", 1, 10, 10, 0, "1", "011"},	/* Dominican Republic */
	{"DZ", 213, 8, 9, 0, "0", "00"},	/* Algeria */
	{"EC", 593, 8, 11, 0, "0", "00"},	/* Ecuador */
	{"EE", 372, 7, 10, 0, "", "00"},	/* Estonia */
	{"EG", 20, 8, 10, 0, "0", "00"},	/* Egypt */
	{"EH", 212, 9, 9, 0, "0", "00"},	/* Western Sahara */
	{"ER", 291, 7, 7, 0, "0", "00"},	/* Eritrea */
	{"ES", 34, 9, 9, 0, "", "00"},	/* Spain */
	{"ET", 251, 9, 9, 0, "0", "00"},	/* Ethiopia */
	{"FI", 358, 5, 12, 0, "0", "00"},	/* Finland */
	{"FJ", 679, 7, 11, 0, "", "00 052"},	/* Fiji */
	{"FK", 500, 5, 5, 0, "", "00"},	/* Falkland Islands (Malvinas) */
	{"FM", 691, 7, 7, 0, "", "00"},	/* Micronesia */
	{"FO", 298, 6, 6, 0, "", "00"},	/* Faroe Islands */
	{"FR", 33, 9, 9, 0, "0", "00"},	/* France */
	{"GA", 241, 7, 8, 0, "", "00"},	/* Gabon */
	{"GB", 44, 7, 10, 0, "0", "00"},	/* United Kingdom */
	{"GD", 1, 10, 10, 0, "1", "011"},	/* Grenada */
	{"GE", 995, 9, 9, 0, "0", "00"},	/* Georgia */
	{"GF", 594, 9, 9, 0, "0", "00"},	/* French Guiana */
	{"GG", 44, 7, 10, 0, "0", "00"},	/* Guernsey */
	{"GH", 233, 8, 9, 0, "0", "00"},	/* Ghana */
	{"GI", 350, 8, 8, 0, "", "00"},	/* Gibraltar */
	{"GL", 299, 6, 6, 0, "", "00"},	/* Greenland */
	{"GM", 220, 7, 7, 0, "", "00"},	/* Gambia */
	{"GN", 224, 8, 9, 0, "", "00"},	/* Guinea */
	{"GP", 590, 9, 9, 0, "0", "00"},	/* Guadeloupe */
	{"GQ", 240, 9, 9, 0, "", "00"},	/* Equatorial Guinea */
	{"GR", 30, 10, 12, 0, "", "00"},	/* Greece */
	{"GS", 500, 5, 5, 0, "", "00"},	/* South Georgia */
	{"GT", 502, 8, 11, 0, "", "00"},	/* Guatemala */
	{"GU", 1, 10, 10, 0, "1", "011"},	/* Guam */
	{"GW", 245, 7, 9, 0, "", "00"},	/* Guinea-Bissau */
	{"GY", 592, 7, 7, 0, "", "001"},	/* Guyana */
	{"HK", 852, 5, 11, 0, "", "001 002 006 007 008 009 00"},	/* Hong Kong */
	{"HN", 504, 8, 11, 0, "", "00"},	/* Honduras */
	{"HR", 385, 7, 9, 0, "0", "00"},	/* Croatia */
	{"HT", 509, 8, 8, 0, "", "00"},	/* Haiti */
	{"HU", 36, 8, 9, 0, "06", "00"},	/* Hungary */
	{"ID", 62, 7, 13, 0, "0", "001 007 008 009"},	/* Indonesia */
	{"IE", 353, 7, 10, 0, "0", "00"},	/* Ireland */
	{"IL", 972, 7, 12, 0, "0", "00 012 013 014 015 016 017 018 019"},	/* Israel */
	{"IM", 44, 10, 10, 0, "0", "00"},	/* Isle of Man */
	{"IN", 91, 10, 11, 0, "0", "00"},	/* India */
	{"IO", 246, 7, 7, 0, "", "00"},	/* British Indian Ocean Territory */
	{"IQ", 964, 8, 10, 0, "0", "00"},	/* Iraq */
	{"IR", 98, 6, 10, 0, "0", "00"},	/* Iran */
	{"IS", 354, 7, 9, 0, "", "00"},	/* Iceland */
	{"IT", 39, 6, 11, 0, "", "00"},	/* Italy */
	{"JE", 44, 10, 10, 0, "0", "00"},	/* Jersey */
	{"JM", 1, 10, 10, 0, "1", "011"},	/* Jamaica */
	{"JO", 962, 8, 9, 0, "0", "00"},	/* Jordan */
	{"JP", 81, 9, 10, 0, "0", "010"},	/* Japan */
	{"KE", 254, 7, 10, 0, "0", "000"},	/* Kenya */
	{"KG", 996, 9, 10, 0, "0", "00"},	/* Kyrgyzstan */
	{"KH", 855, 8, 10, 0, "0", "001 004 005 006 007 008 009"},	/* Cambodia */
	{"KI", 686, 5, 8, 0, "0", "00"},	/* Kiribati */
	{"KM", 269, 7, 7, 0, "", "00"},	/* Comoros */
	{"KN", 1, 10, 10, 0, "1", "011"},	/* Saint Kitts and Nevis */
	{"KP", 850, 8, 10, 0, "0", "00"},	/* North Korea */
	{"KR", 82, 6, 13, 0, "0",
		"001 002 005 006 008 009 00345 00365 00391 00700 00727 0073 00755 "
		"00761 00762 00766 00"},	/* South Korea */
	{"KW", 965, 7, 8, 0, "", "00"},	/* Kuwait */
	{"KY", 1, 10, 10, 0, "1", "011"},	/* Cayman Islands */
	{"KZ", 7, 10, 10, 0, "8", "810"},	/* Kazakhstan */
	{"LA", 856, 8, 10, 0, "0", "00"},	/* Laos */
	{"LB", 961, 7, 8, 0, "0", "00"},	/* Lebanon */
	{"LC", 1, 10, 10, 0, "1", "011"},	/* Saint Lucia */
	{"LI", 423, 7, 9, 0, "0", "00"},	/* Liechtenstein */
	{"LK", 94, 9, 9, 0, "0", "00"},	/* Sri Lanka */
	{"LR", 231, 7, 9, 0, "0", "00"},	/* Liberia */
	{"LS", 266, 8, 8, 0, "", "00"},	/* Lesotho */
	{"LT", 370, 8, 8, 0, "0 8", "00"},	/* Lithuania */
	{"LU", 352, 5, 11, 0, "", "00"},	/* Luxembourg */
	{"LV", 371, 8, 8, 0, "", "00"},	/* Latvia */
	{"LY", 218, 9, 9, 0, "0", "00"},	/* Libya */
	{"MA", 212, 9, 9, 0, "0", "00"},	/* Morocco */
	{"MC", 377, 8, 9, 0, "0", "00"},	/* Monaco */
	{"MD", 373, 8, 8, 0, "0", "00"},	/* Moldova */
	{"ME", 382, 8, 9, 0, "0", "00"},	/* Montenegro */
	{"MF", 590, 9, 9, 0, "0", "00"},	/* Saint Martin (French part) */
	{"MG", 261, 9, 9, 0, "0", "00"},	/* Madagascar */
	{"MH", 692, 7, 7, 0, "1", "011"},	/* Marshall Islands */
	{"MK", 389, 8, 8, 0, "0", "00"},	/* North Macedonia */
	{"ML", 223, 8, 8, 0, "", "00"},	/* Mali */
	{"MM", 95, 6, 10, 0, "0", "00"},	/* Myanmar */
	{"MN", 976, 8, 10, 0, "0", "001"},	/* Mongolia */
	{"MO", 853, 7, 8, 0, "", "00"},	/* Macao */
	{"MP", 1, 10, 10, 0, "1", "011"},	/* Northern Mariana Islands */
	{"MQ", 596, 9, 9, 0, "0", "00"},	/* Martinique */
	{"MR", 222, 8, 8, 0, "", "00"},	/* Mauritania */
	{"MS", 1, 10, 10, 0, "1", "011"},	/* Montserrat */
	{"MT", 356, 8, 8, 0, "", "00"},	/* Malta */
	{"MU", 230, 7, 10, 0, "", "020 00 030 033 040 050 060 070"},	/* Mauritius */
	{"MV", 960, 7, 10, 0, "", "00 019"},	/* Maldives */
	{"MW", 265, 7, 9, 0, "0", "00"},	/* Malawi */
	{"MX", 52, 10, 10, 0, "01 044 045", "00 09"},	/* Mexico */
	{"MY", 60, 8, 10, 0, "0", "00"},	/* Malaysia */
	{"MZ", 258, 8, 9, 0, "", "00"},	/* Mozambique */
	{"NA", 264, 8, 9, 0, "0", "00"},	/* Namibia */
	{"NC", 687, 6, 6, 0, "", "00"},	/* New Caledonia */
	{"NE", 227, 8, 8, 0, "", "00"},	/* Niger */
	{"NF", 672, 6, 6, 0, "", "00"},	/* Norfolk Island */
	{"NG", 234, 10, 12, 0, "0", "009"},	/* Nigeria */
	{"NI", 505, 8, 8, 0, "", "00"},	/* Nicaragua */
	{"NL", 31, 6, 11, 0, "0", "00"},	/* Netherlands */
	{"NO", 47, 6, 8, 0, "", "00"},	/* Norway */
	{"NP", 977, 8, 11, 0, "0", "00"},	/* Nepal */
	{"NR", 674, 7, 7, 0, "", "00"},	/* Nauru */
	{"NU", 683, 4, 7, 0, "", "00"},	/* Niue */
	{"NZ", 64, 6, 10, 0, "0", "00"},	/* New Zealand */
	{"OM", 968, 7, 9, 0, "", "00"},	/* Oman */
	{"PA", 507, 7, 11, 0, "", "00"},	/* Panama */
	{"PE", 51, 8, 9, 0, "0", "00"},	/* Peru */
	{"PF", 689, 6, 9, 0, "", "00"},	/* French Polynesia */
	{"PG", 675, 7, 8, 0, "", "00"},	/* Papua New Guinea */
	{"PH", 63, 6, 13, 0, "0", "00"},	/* Philippines */
	{"PK", 92, 8, 12, 0, "0", "00"},	/* Pakistan */
	{"PL", 48, 6, 10, 0, "", "00"},	/* Poland */
	{"PM", 508, 6, 9, 0, "0", "00"},	/* Saint Pierre and Miquelon */
	{"PN", 64, 6, 10, 0, "", "00"},	/* Pitcairn */
	{"PR", 1, 10, 10, 0, "1", "011"},	/* Puerto Rico */
	{"PS", 970, 8, 10, 0, "0", "00"},	/* Palestine */
	{"PT", 351, 9, 9, 0, "", "00"},	/* Portugal */
	{"PW", 680, 7, 7, 0, "", "011 012"},	/* Palau */
	{"PY", 595, 6, 11, 0, "0", "00"},	/* Paraguay */
	{"QA", 974, 7, 11, 0, "", "00"},	/* Qatar */
	{"RE", 262, 9, 9, 0, "0", "00"},	/* Reunion */
	{"RO", 40, 6, 9, 0, "0", "00"},	/* Romania */
	{"RS", 381, 6, 12, 0, "0", "00"},	/* Serbia */
	{"RU", 7, 10, 10, 0, "8", "810"},	/* Russian Federation */
	{"RW", 250, 8, 9, PHONE_NSN_ZERO, "0", "00"},	/* Rwanda */
	{"SA", 966, 9, 10, 0, "0", "00"},	/* Saudi Arabia */
	{"SB", 677, 5, 7, 0, "", "00 01"},	/* Solomon Islands */
	{"SC", 248, 7, 7, 0, "", "00"},	/* Seychelles */
	{"SD", 249, 9, 9, 0, "0", "00"},	/* Sudan */
	{"SE", 46, 6, 12, 0, "0", "00"},	/* Sweden */
	{"SG", 65, 8, 11, 0, "", "001 002 008 012 013 018 019"},	/* Singapore */
	{"SH", 290, 4, 5, 0, "", "00"},	/* Saint Helena, Ascension, Tristan da Cunha */
	{"SI", 386, 5, 8, 0, "0", "00"},	/* Slovenia */
	{"SJ", 47, 6, 8, 0, "", "00"},	/* Svalbard and Jan Mayen */
	{"SK", 421, 6, 9, 0, "0", "00"},	/* Slovakia */
	{"SL", 232, 8, 8, 0, "0", "00"},	/* Sierra Leone */
	{"SM", 378, 8, 10, 0, "", "00"},	/* San Marino */
	{"SN", 221, 9, 9, 0, "", "00"},	/* Senegal */
	{"SO", 252, 6, 9, 0, "0", "00"},	/* Somalia */
	{"SR", 597, 6, 7, 0, "", "00"},	/* Suriname */
	{"SS", 211, 9, 9, 0, "0", "00"},	/* South Sudan */
	{"ST", 239, 7, 7, 0, "", "00"},	/* Sao Tome and Principe */
	{"SV", 503, 7, 11, 0, "", "00"},	/* El Salvador */
	{"SX", 1, 10, 10, 0, "1", "011"},	/* Sint Maarten (Dutch part) */
	{"SY", 963, 8, 9, 0, "0", "00"},	/* Syria */
	{"SZ", 268, 8, 9, 0, "", "00"},	/* Eswatini */
	{"TC", 1, 10, 10, 0, "1", "011"},	/* Turks and Caicos Islands */
	{"TD", 235, 8, 8, 0, "", "00"},	/* Chad */
	{"TF", 262, 9, 9, 0, "", "00"},	/* French Southern Territories */
	{"TG", 228, 8, 8, 0, "", "00"},	/* Togo */
	{"TH", 66, 8, 13, 0, "0", "001 002 003 004 005 006 007 008 009 00"},	/* Thailand */
	{"TJ", 992, 9, 9, 0, "", "810"},	/* Tajikistan */
	{"TK", 690, 4, 7, 0, "", "00"},	/* Tokelau */
	{"TL", 670, 7, 8, 0, "", "00"},	/* Timor-Leste */
	{"TM", 993, 8, 8, 0, "8", "810"},	/* Turkmenistan */
	{"TN", 216, 8, 8, 0, "", "00"},	/* Tunisia */
	{"TO", 676, 5, 7, 0, "", "00"},	/* Tonga */
	{"TR", 90, 7, 13, 0, "0", "00"},	/* Turkiye */
	{"TT", 1, 10, 10, 0, "1", "011"},	/* Trinidad and Tobago */
	{"TV", 688, 5, 7, 0, "", "00"},	/* Tuvalu */
	{"TW", 886, 7, 11, 0, "0", "002 005 006 007 009 019"},	/* Taiwan */
	{"TZ", 255, 9, 9, 0, "0", "000 005 006"},	/* Tanzania */
	{"UA", 380, 9, 10, 0, "0", "00"},	/* Ukraine */
	{"UG", 256, 9, 9, 0, "0", "000 005 007"},	/* Uganda */
	{"UM", 1, 10, 10, 0, "1", "011"},	/* US Minor Outlying Islands */
	{"US", 1, 10, 10, 0, "1", "011"},	/* United States */
	{"UY", 598, 5, 12, 0, "0", "00"},	/* Uruguay */
	{"UZ", 998, 9, 9, 0, "", "00"},	/* Uzbekistan */
	{"VA", 39, 6, 11, 0, "", "00"},	/* Holy See */
	{"VC", 1, 10, 10, 0, "1", "011"},	/* Saint Vincent and the Grenadines */
	{"VE", 58, 10, 10, 0, "0", "00"},	/* Venezuela */
	{"VG", 1, 10, 10, 0, "1", "011"},	/* Virgin Islands */
	{"VI", 1, 10, 10, 0, "1", "011"},	/* Virgin Islands */
	{"VN", 84, 7, 10, 0, "0", "00"},	/* Vietnam */
	{"VU", 678, 5, 7, 0, "", "00"},	/* Vanuatu */
	{"WF", 681, 6, 9, 0, "", "00"},	/* Wallis and Futuna */
	{"WS", 685, 5, 10, 0, "", "0"},	/* Samoa */
	{"XK", 383, 8, 12, 0, "0", "00"},	/* Kosovo (not ISO: user-assigned code) */
	{"YE", 967, 7, 9, 0, "0", "00"},	/* Yemen */
	{"YT", 262, 9, 9, 0, "0", "00"},	/* Mayotte */
	{"ZA", 27, 6, 10, 0, "0", "00"},	/* South Africa */
	{"ZM", 260, 9, 9, 0, "0", "00"},	/* Zambia */
	{"ZW", 263, 5, 10, 0, "0", "00"},	/* Zimbabwe */
};

/*
 * Assigned country calling codes (ITU-T E.164 list), sorted.  region is the
 * main ISO country of the code, "" for the non-geographic codes.  min_nsn
 * and max_nsn are the NSN bounds for codes that have no country entry of
 * their own, 0 when those of the region's entry apply.
 *
 * Codes that are assigned but unused (379 reserved for the Vatican, which
 * uses +39; 388 and 991, withdrawn services; spare codes) are left out:
 * no number can be written with them.  247 (Ascension Island) is part of
 * Saint Helena in ISO 3166-1, so its region is SH, with bounds of its own.
 */
typedef struct PhoneCallingCode
{
	uint16_t	cc;
	char		region[3];
	uint8_t		min_nsn;
	uint8_t		max_nsn;
} PhoneCallingCode;

static const PhoneCallingCode phone_calling_codes[] = {
	{1, "US", 0, 0},
	{7, "RU", 0, 0},
	{20, "EG", 0, 0},
	{27, "ZA", 0, 0},
	{30, "GR", 0, 0},
	{31, "NL", 0, 0},
	{32, "BE", 0, 0},
	{33, "FR", 0, 0},
	{34, "ES", 0, 0},
	{36, "HU", 0, 0},
	{39, "IT", 0, 0},
	{40, "RO", 0, 0},
	{41, "CH", 0, 0},
	{43, "AT", 0, 0},
	{44, "GB", 0, 0},
	{45, "DK", 0, 0},
	{46, "SE", 0, 0},
	{47, "NO", 0, 0},
	{48, "PL", 0, 0},
	{49, "DE", 0, 0},
	{51, "PE", 0, 0},
	{52, "MX", 0, 0},
	{53, "CU", 0, 0},
	{54, "AR", 0, 0},
	{55, "BR", 0, 0},
	{56, "CL", 0, 0},
	{57, "CO", 0, 0},
	{58, "VE", 0, 0},
	{60, "MY", 0, 0},
	{61, "AU", 0, 0},
	{62, "ID", 0, 0},
	{63, "PH", 0, 0},
	{64, "NZ", 0, 0},
	{65, "SG", 0, 0},
	{66, "TH", 0, 0},
	{81, "JP", 0, 0},
	{82, "KR", 0, 0},
	{84, "VN", 0, 0},
	{86, "CN", 0, 0},
	{90, "TR", 0, 0},
	{91, "IN", 0, 0},
	{92, "PK", 0, 0},
	{93, "AF", 0, 0},
	{94, "LK", 0, 0},
	{95, "MM", 0, 0},
	{98, "IR", 0, 0},
	{211, "SS", 0, 0},
	{212, "MA", 0, 0},
	{213, "DZ", 0, 0},
	{216, "TN", 0, 0},
	{218, "LY", 0, 0},
	{220, "GM", 0, 0},
	{221, "SN", 0, 0},
	{222, "MR", 0, 0},
	{223, "ML", 0, 0},
	{224, "GN", 0, 0},
	{225, "CI", 0, 0},
	{226, "BF", 0, 0},
	{227, "NE", 0, 0},
	{228, "TG", 0, 0},
	{229, "BJ", 0, 0},
	{230, "MU", 0, 0},
	{231, "LR", 0, 0},
	{232, "SL", 0, 0},
	{233, "GH", 0, 0},
	{234, "NG", 0, 0},
	{235, "TD", 0, 0},
	{236, "CF", 0, 0},
	{237, "CM", 0, 0},
	{238, "CV", 0, 0},
	{239, "ST", 0, 0},
	{240, "GQ", 0, 0},
	{241, "GA", 0, 0},
	{242, "CG", 0, 0},
	{243, "CD", 0, 0},
	{244, "AO", 0, 0},
	{245, "GW", 0, 0},
	{246, "IO", 0, 0},
	{247, "SH", 5, 6},		/* Ascension Island */
	{248, "SC", 0, 0},
	{249, "SD", 0, 0},
	{250, "RW", 0, 0},
	{251, "ET", 0, 0},
	{252, "SO", 0, 0},
	{253, "DJ", 0, 0},
	{254, "KE", 0, 0},
	{255, "TZ", 0, 0},
	{256, "UG", 0, 0},
	{257, "BI", 0, 0},
	{258, "MZ", 0, 0},
	{260, "ZM", 0, 0},
	{261, "MG", 0, 0},
	{262, "RE", 0, 0},
	{263, "ZW", 0, 0},
	{264, "NA", 0, 0},
	{265, "MW", 0, 0},
	{266, "LS", 0, 0},
	{267, "BW", 0, 0},
	{268, "SZ", 0, 0},
	{269, "KM", 0, 0},
	{290, "SH", 0, 0},
	{291, "ER", 0, 0},
	{297, "AW", 0, 0},
	{298, "FO", 0, 0},
	{299, "GL", 0, 0},
	{350, "GI", 0, 0},
	{351, "PT", 0, 0},
	{352, "LU", 0, 0},
	{353, "IE", 0, 0},
	{354, "IS", 0, 0},
	{355, "AL", 0, 0},
	{356, "MT", 0, 0},
	{357, "CY", 0, 0},
	{358, "FI", 0, 0},
	{359, "BG", 0, 0},
	{370, "LT", 0, 0},
	{371, "LV", 0, 0},
	{372, "EE", 0, 0},
	{373, "MD", 0, 0},
	{374, "AM", 0, 0},
	{375, "BY", 0, 0},
	{376, "AD", 0, 0},
	{377, "MC", 0, 0},
	{378, "SM", 0, 0},
	{380, "UA", 0, 0},
	{381, "RS", 0, 0},
	{382, "ME", 0, 0},
	{383, "XK", 0, 0},
	{385, "HR", 0, 0},
	{386, "SI", 0, 0},
	{387, "BA", 0, 0},
	{389, "MK", 0, 0},
	{420, "CZ", 0, 0},
	{421, "SK", 0, 0},
	{423, "LI", 0, 0},
	{500, "FK", 0, 0},
	{501, "BZ", 0, 0},
	{502, "GT", 0, 0},
	{503, "SV", 0, 0},
	{504, "HN", 0, 0},
	{505, "NI", 0, 0},
	{506, "CR", 0, 0},
	{507, "PA", 0, 0},
	{508, "PM", 0, 0},
	{509, "HT", 0, 0},
	{590, "GP", 0, 0},
	{591, "BO", 0, 0},
	{592, "GY", 0, 0},
	{593, "EC", 0, 0},
	{594, "GF", 0, 0},
	{595, "PY", 0, 0},
	{596, "MQ", 0, 0},
	{597, "SR", 0, 0},
	{598, "UY", 0, 0},
	{599, "CW", 0, 0},
	{670, "TL", 0, 0},
	{672, "NF", 0, 0},
	{673, "BN", 0, 0},
	{674, "NR", 0, 0},
	{675, "PG", 0, 0},
	{676, "TO", 0, 0},
	{677, "SB", 0, 0},
	{678, "VU", 0, 0},
	{679, "FJ", 0, 0},
	{680, "PW", 0, 0},
	{681, "WF", 0, 0},
	{682, "CK", 0, 0},
	{683, "NU", 0, 0},
	{685, "WS", 0, 0},
	{686, "KI", 0, 0},
	{687, "NC", 0, 0},
	{688, "TV", 0, 0},
	{689, "PF", 0, 0},
	{690, "TK", 0, 0},
	{691, "FM", 0, 0},
	{692, "MH", 0, 0},
	{800, "", 8, 8},	/* International Freephone */
	{808, "", 8, 8},	/* Shared Cost Services */
	{850, "KP", 0, 0},
	{852, "HK", 0, 0},
	{853, "MO", 0, 0},
	{855, "KH", 0, 0},
	{856, "LA", 0, 0},
	{870, "", 9, 12},	/* Inmarsat */
	{878, "", 12, 12},	/* Universal Personal Telecommunications */
	{880, "BD", 0, 0},
	{881, "", 9, 10},	/* Global Mobile Satellite System */
	{882, "", 7, 12},	/* International Networks */
	{883, "", 8, 12},	/* International Networks */
	{886, "TW", 0, 0},
	{888, "", 11, 11},	/* OCHA disaster relief */
	{960, "MV", 0, 0},
	{961, "LB", 0, 0},
	{962, "JO", 0, 0},
	{963, "SY", 0, 0},
	{964, "IQ", 0, 0},
	{965, "KW", 0, 0},
	{966, "SA", 0, 0},
	{967, "YE", 0, 0},
	{968, "OM", 0, 0},
	{970, "PS", 0, 0},
	{971, "AE", 0, 0},
	{972, "IL", 0, 0},
	{973, "BH", 0, 0},
	{974, "QA", 0, 0},
	{975, "BT", 0, 0},
	{976, "MN", 0, 0},
	{977, "NP", 0, 0},
	{979, "", 9, 9},	/* International Premium Rate */
	{992, "TJ", 0, 0},
	{993, "TM", 0, 0},
	{994, "AZ", 0, 0},
	{995, "GE", 0, 0},
	{996, "KG", 0, 0},
	{998, "UZ", 0, 0},
};


/*
 * ASCII-only character classes: <ctype.h> depends on the locale and is
 * undefined for negative char values, and input may be any bytes.
 */
static inline bool
phone_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
phone_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool
phone_is_separator(unsigned char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '/' ||
		c == '(' || c == ')';
}

static inline unsigned char
phone_ascii_upper(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (unsigned char) (c - 'a' + 'A');
	return c;
}

/*
 * Write the decimal digits of value into buf (at least 20 bytes, not
 * NUL-terminated) and return how many there are.
 */
static int
phone_u64_digits(uint64_t value, char *buf)
{
	char		tmp[20];
	int			n = 0;
	int			i;

	do
	{
		tmp[n++] = (char) ('0' + (int) (value % 10));
		value /= 10;
	} while (value != 0);

	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Value of a short run of ASCII digits (callers keep n small) */
static unsigned int
phone_digits_value(const char *digits, int n)
{
	unsigned int value = 0;
	int			i;

	for (i = 0; i < n; i++)
		value = value * 10 + (unsigned int) (digits[i] - '0');
	return value;
}

/*
 * Iterate over a list of space-separated prefix alternatives: returns the
 * start of the next one at or after *list and sets *len to its length, or
 * returns NULL at the end.  Advance with *list = alt + len.
 */
static const char *
phone_next_alternative(const char **list, int *len)
{
	const char *p = *list;
	int			n = 0;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return NULL;
	while (p[n] != '\0' && p[n] != ' ')
		n++;
	*len = n;
	*list = p + n;
	return p;
}

/* Does digits[0..ndigits) start with the prefix alt[0..len)? */
static inline bool
phone_has_prefix(const char *digits, int ndigits, const char *alt, int len)
{
	return len <= ndigits && memcmp(digits, alt, (size_t) len) == 0;
}

/*
 * Look up a country by alpha-2 code, case-insensitively.  Reads at most the
 * three bytes up to the NUL of a two-letter code, never beyond a NUL.
 */
static const PhoneCountry *
phone_find_country(const char *alpha2)
{
	unsigned char a;
	unsigned char b;
	size_t		lo = 0;
	size_t		hi = PHONE_LENGTHOF(phone_countries);

	if (alpha2 == NULL || alpha2[0] == '\0' || alpha2[1] == '\0' ||
		alpha2[2] != '\0')
		return NULL;
	a = phone_ascii_upper((unsigned char) alpha2[0]);
	b = phone_ascii_upper((unsigned char) alpha2[1]);
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return NULL;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const PhoneCountry *c = &phone_countries[mid];
		int			cmp;

		cmp = (int) a - (int) (unsigned char) c->alpha2[0];
		if (cmp == 0)
			cmp = (int) b - (int) (unsigned char) c->alpha2[1];
		if (cmp == 0)
			return c;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const PhoneCallingCode *
phone_find_calling_code(unsigned int cc)
{
	size_t		lo = 0;
	size_t		hi = PHONE_LENGTHOF(phone_calling_codes);

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		unsigned int here = phone_calling_codes[mid].cc;

		if (cc == here)
			return &phone_calling_codes[mid];
		if (cc < here)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * Calling code at the start of digits[0..ndigits): the codes are
 * prefix-free, so the first match by increasing length is the only one.
 * Sets *cclen.  The code itself may take all the digits.
 */
static const PhoneCallingCode *
phone_match_calling_code(const char *digits, int ndigits, int *cclen)
{
	int			len;

	for (len = 1; len <= 3 && len <= ndigits; len++)
	{
		const PhoneCallingCode *code;

		if (digits[0] == '0')
			break;				/* no calling code starts with 0 */
		code = phone_find_calling_code(phone_digits_value(digits, len));
		if (code != NULL)
		{
			*cclen = len;
			return code;
		}
	}
	return NULL;
}

/* Country whose rules apply to numbers under this calling code, if any */
static const PhoneCountry *
phone_code_country(const PhoneCallingCode *code)
{
	if (code->region[0] == '\0')
		return NULL;
	return phone_find_country(code->region);
}

/*
 * Do national numbers of this country never start with 0?  True where the
 * trunk prefix starts with 0, as a leading 0 would then be ambiguous, except
 * where the table says otherwise.
 */
static bool
phone_nsn_never_zero(const PhoneCountry *country)
{
	return country != NULL && country->trunk[0] == '0' &&
		(country->flags & PHONE_NSN_ZERO) == 0;
}

static inline bool
phone_length_fits(int nlen, int min_nsn, int max_nsn)
{
	return min_nsn == 0 || (nlen >= min_nsn && nlen <= max_nsn);
}

/*
 * Last step of both paths: check lengths and build the value.
 *
 * cc has cclen digits; nsn[0..nlen) are ASCII digits; min_nsn/max_nsn are
 * the bounds to check (0 for none); rules is the main country of the
 * calling code (NULL for non-geographic codes), whose leading-zero rule is
 * the one a later re-parse of the result would apply.
 */
static OmniPhoneError
phone_finish(unsigned int cc, int cclen, const char *nsn, int nlen,
			 int min_nsn, int max_nsn, const PhoneCountry *rules,
			 uint64_t *result)
{
	uint64_t	value;
	int			i;

	if (cclen + nlen > OMNI_PHONE_MAX_DIGITS)
		return OMNI_PHONE_TOO_LONG;
	if (nlen < 4)
		return OMNI_PHONE_TOO_SHORT;
	if (min_nsn > 0)
	{
		if (nlen < min_nsn)
			return OMNI_PHONE_TOO_SHORT;
		if (nlen > max_nsn)
			return OMNI_PHONE_TOO_LONG;
	}
	else if (cclen + nlen < 8)
		return OMNI_PHONE_TOO_SHORT;

	/* a stray extra trunk zero: see the header comment */
	if (nsn[0] == '0' && phone_nsn_never_zero(rules))
		return OMNI_PHONE_TOO_LONG;

	/* at most 15 digits in all: no overflow possible */
	value = cc;
	for (i = 0; i < nlen; i++)
		value = value * 10 + (uint64_t) (nsn[i] - '0');

	if (result != NULL)
		*result = value;
	return OMNI_PHONE_OK;
}

/* Parse digits[0..ndigits) that followed a '+' or an international prefix */
static OmniPhoneError
phone_parse_international(const char *digits, int ndigits, uint64_t *result)
{
	const PhoneCallingCode *code;
	const PhoneCountry *country;
	const char *nsn;
	int			cclen = 0;
	int			nlen;
	int			min_nsn;
	int			max_nsn;

	code = phone_match_calling_code(digits, ndigits, &cclen);
	if (code == NULL)
	{
		/* with fewer than 3 digits it may just be unfinished */
		return ndigits < 3 ? OMNI_PHONE_TOO_SHORT :
			OMNI_PHONE_UNKNOWN_CALLING_CODE;
	}

	country = phone_code_country(code);
	if (code->min_nsn > 0 || country == NULL)
	{
		min_nsn = code->min_nsn;
		max_nsn = code->max_nsn;
	}
	else
	{
		min_nsn = country->min_nsn;
		max_nsn = country->max_nsn;
	}

	nsn = digits + cclen;
	nlen = ndigits - cclen;

	/*
	 * Drop a trunk prefix written after the calling code, as in "+44 (0)20
	 * ...".  Only prefixes starting with 0 qualify: where the trunk prefix
	 * is "1" or "8", the same digit can begin a national number.
	 */
	if (country != NULL && nlen > 0 && nsn[0] == '0')
	{
		const char *list = country->trunk;
		const char *alt;
		int			alen;

		while ((alt = phone_next_alternative(&list, &alen)) != NULL)
		{
			if (alt[0] != '0' || !phone_has_prefix(nsn, nlen, alt, alen))
				continue;
			if ((country->flags & PHONE_NSN_ZERO) == 0 ||
				(phone_length_fits(nlen - alen, min_nsn, max_nsn) &&
				 !phone_length_fits(nlen, min_nsn, max_nsn)))
			{
				nsn += alen;
				nlen -= alen;
			}
			break;
		}
	}

	return phone_finish(code->cc, cclen, nsn, nlen, min_nsn, max_nsn,
						country, result);
}

/* Parse digits[0..ndigits) written without '+', for the given country */
static OmniPhoneError
phone_parse_national(const char *digits, int ndigits,
					 const PhoneCountry *country, uint64_t *result)
{
	const PhoneCallingCode *code;
	const char *list;
	const char *alt;
	const char *nsn = digits;
	int			nlen = ndigits;
	int			alen;
	int			cclen;
	bool		matched = false;
	bool		stripped = false;
	OmniPhoneError first_error = OMNI_PHONE_OK;
	char		ccbuf[20];

	/* An international prefix is as good as a '+' */
	list = country->intl;
	while ((alt = phone_next_alternative(&list, &alen)) != NULL)
	{
		OmniPhoneError err;

		if (!phone_has_prefix(digits, ndigits, alt, alen))
			continue;
		err = phone_parse_international(digits + alen, ndigits - alen,
										result);
		if (err == OMNI_PHONE_OK)
			return err;
		if (!matched)
		{
			first_error = err;
			matched = true;
		}
	}
	if (matched)
		return first_error;

	/*
	 * Strip a trunk prefix.  One that starts with 0 can be stripped blindly
	 * where national numbers never start with 0; others only when that
	 * leaves a number of a valid length (NANP "1" + 10 digits, Russian "8"
	 * + 10 digits).
	 */
	list = country->trunk;
	while ((alt = phone_next_alternative(&list, &alen)) != NULL)
	{
		if (!phone_has_prefix(nsn, nlen, alt, alen))
			continue;
		if ((alt[0] == '0' && (country->flags & PHONE_NSN_ZERO) == 0) ||
			phone_length_fits(nlen - alen, country->min_nsn,
							  country->max_nsn))
		{
			nsn += alen;
			nlen -= alen;
			stripped = true;
			break;
		}
	}

	/*
	 * Brazil: "0 XX AA NNNNNNNNN", XX choosing the long-distance carrier.
	 * With the area code, numbers have 10 or 11 digits, so 12 or 13 left
	 * after the "0" means there is a carrier code.
	 */
	if (stripped && (country->flags & PHONE_BR_CARRIER) != 0 &&
		(nlen == 12 || nlen == 13))
	{
		nsn += 2;
		nlen -= 2;
	}

	code = phone_find_calling_code(country->cc);
	cclen = phone_u64_digits(country->cc, ccbuf);
	return phone_finish(country->cc, cclen, nsn, nlen,
						country->min_nsn, country->max_nsn,
						code != NULL ? phone_code_country(code) : NULL,
						result);
}

OmniPhoneError
omni_phone_parse(const char *input, const char *default_country,
				 uint64_t *result)
{
	const PhoneCountry *country = NULL;
	const unsigned char *p;
	char		digits[PHONE_MAX_INPUT_DIGITS];
	int			ndigits = 0;
	bool		international = false;

	/* a bad default is a caller error: report it whatever the input */
	if (default_country != NULL && default_country[0] != '\0')
	{
		country = phone_find_country(default_country);
		if (country == NULL)
			return OMNI_PHONE_BAD_COUNTRY;
	}

	if (input == NULL)
		return OMNI_PHONE_EMPTY;

	p = (const unsigned char *) input;
	while (phone_is_blank(*p))
		p++;
	if (*p == '\0')
		return OMNI_PHONE_EMPTY;

	if (*p == '+')
	{
		international = true;
		p++;
	}

	for (; *p != '\0'; p++)
	{
		if (phone_is_digit(*p))
		{
			/* keep counting past the buffer, but saturate */
			if (ndigits < PHONE_MAX_INPUT_DIGITS)
				digits[ndigits++] = (char) *p;
			else
				ndigits = PHONE_MAX_INPUT_DIGITS + 1;
		}
		else if (phone_is_separator(*p))
			continue;
		else if (phone_is_blank(*p))
		{
			/* tab, CR or LF: only allowed in trailing blanks */
			const unsigned char *q = p;

			while (phone_is_blank(*q))
				q++;
			if (*q != '\0')
				return OMNI_PHONE_BAD_CHARACTER;
			break;
		}
		else
			return OMNI_PHONE_BAD_CHARACTER;
	}

	if (ndigits == 0)
		return OMNI_PHONE_TOO_SHORT;
	if (ndigits > PHONE_MAX_INPUT_DIGITS)
		return OMNI_PHONE_TOO_LONG;

	if (international)
		return phone_parse_international(digits, ndigits, result);
	if (country == NULL)
		return OMNI_PHONE_BAD_COUNTRY;
	return phone_parse_national(digits, ndigits, country, result);
}

const char *
omni_phone_error_message(OmniPhoneError err)
{
	switch (err)
	{
		case OMNI_PHONE_OK:
			return "no error";
		case OMNI_PHONE_EMPTY:
			return "phone number is empty";
		case OMNI_PHONE_BAD_CHARACTER:
			return "phone number contains a character that is not allowed";
		case OMNI_PHONE_TOO_SHORT:
			return "phone number is too short";
		case OMNI_PHONE_TOO_LONG:
			return "phone number is too long";
		case OMNI_PHONE_UNKNOWN_CALLING_CODE:
			return "unknown country calling code";
		case OMNI_PHONE_BAD_COUNTRY:
			return "unknown or missing default country";
	}
	/* out-of-range value cast to the enum */
	return "unknown phone number error";
}

bool
omni_phone_country_known(const char *alpha2)
{
	return phone_find_country(alpha2) != NULL;
}

int
omni_phone_country_calling_code(const char *alpha2)
{
	const PhoneCountry *country = phone_find_country(alpha2);

	return country != NULL ? (int) country->cc : 0;
}

/*
 * Calling code entry of a value, requiring at least one digit after it.
 * Sets *cclen and *ndigits.
 */
static const PhoneCallingCode *
phone_value_calling_code(uint64_t e164, int *cclen, int *ndigits)
{
	char		buf[20];
	int			n = phone_u64_digits(e164, buf);
	const PhoneCallingCode *code;

	code = phone_match_calling_code(buf, n, cclen);
	if (code == NULL || *cclen >= n)
		return NULL;
	*ndigits = n;
	return code;
}

int
omni_phone_calling_code(uint64_t e164)
{
	int			cclen;
	int			ndigits;
	const PhoneCallingCode *code;

	code = phone_value_calling_code(e164, &cclen, &ndigits);
	return code != NULL ? (int) code->cc : 0;
}

int
omni_phone_nsn_length(uint64_t e164)
{
	int			cclen;
	int			ndigits;
	const PhoneCallingCode *code;

	code = phone_value_calling_code(e164, &cclen, &ndigits);
	return code != NULL ? ndigits - cclen : 0;
}

int
omni_phone_digit_count(uint64_t value)
{
	char		buf[20];

	return phone_u64_digits(value, buf);
}

int
omni_phone_format(uint64_t e164, char *buf, size_t buflen)
{
	char		digits[20];
	int			n = phone_u64_digits(e164, digits);

	/* '+', the digits, the NUL */
	if (buf == NULL || buflen < (size_t) n + 2)
	{
		if (buf != NULL && buflen > 0)
			buf[0] = '\0';
		return -1;
	}
	buf[0] = '+';
	memcpy(buf + 1, digits, (size_t) n);
	buf[n + 1] = '\0';
	return n + 1;
}

const char *
omni_phone_region(uint64_t e164)
{
	int			cclen;
	int			ndigits;
	const PhoneCallingCode *code;

	code = phone_value_calling_code(e164, &cclen, &ndigits);
	if (code == NULL || code->region[0] == '\0')
		return NULL;
	return code->region;
}

/* Is a prefix list well formed: digits, alternatives of 1 to 5 digits? */
static bool
phone_prefix_list_valid(const char *list, bool may_be_empty)
{
	const char *alt;
	int			alen;
	int			count = 0;
	int			i;

	if (list == NULL)
		return false;
	/* single spaces between alternatives only */
	for (i = 0; list[i] != '\0'; i++)
	{
		if (list[i] == ' ')
		{
			if (i == 0 || list[i + 1] == ' ' || list[i + 1] == '\0')
				return false;
		}
		else if (!phone_is_digit((unsigned char) list[i]))
			return false;
	}
	while ((alt = phone_next_alternative(&list, &alen)) != NULL)
	{
		if (alen > PHONE_MAX_PREFIX)
			return false;
		count++;
	}
	return count > 0 || may_be_empty;
}

static bool
phone_bounds_valid(int cclen, int min_nsn, int max_nsn)
{
	if (min_nsn == 0 && max_nsn == 0)
		return true;
	return min_nsn >= 4 && min_nsn <= max_nsn &&
		cclen + min_nsn >= 7 &&
		cclen + max_nsn <= OMNI_PHONE_MAX_DIGITS;
}

bool
omni_phone_tables_valid(void)
{
	size_t		i;

	for (i = 0; i < PHONE_LENGTHOF(phone_calling_codes); i++)
	{
		const PhoneCallingCode *code = &phone_calling_codes[i];
		char		buf[20];
		int			n;
		int			len;

		if (code->cc == 0 || code->cc > 999)
			return false;
		if (i > 0 && phone_calling_codes[i - 1].cc >= code->cc)
			return false;
		n = phone_u64_digits(code->cc, buf);
		if (!phone_bounds_valid(n, code->min_nsn, code->max_nsn))
			return false;
		/* prefix-free: no shorter code is a prefix of this one */
		for (len = 1; len < n; len++)
			if (phone_find_calling_code(phone_digits_value(buf, len)) != NULL)
				return false;
		if (code->region[0] == '\0')
		{
			if (code->min_nsn == 0)
				return false;
		}
		else
		{
			const PhoneCountry *country = phone_find_country(code->region);

			if (country == NULL)
				return false;
			/* a region using another code needs bounds of its own */
			if (country->cc != code->cc && code->min_nsn == 0)
				return false;
		}
	}

	for (i = 0; i < PHONE_LENGTHOF(phone_countries); i++)
	{
		const PhoneCountry *country = &phone_countries[i];
		const PhoneCallingCode *code;
		const PhoneCountry *main_country;
		char		buf[20];
		int			n;

		if (country->alpha2[0] < 'A' || country->alpha2[0] > 'Z' ||
			country->alpha2[1] < 'A' || country->alpha2[1] > 'Z' ||
			country->alpha2[2] != '\0')
			return false;
		if (i > 0 && memcmp(phone_countries[i - 1].alpha2,
							country->alpha2, 2) >= 0)
			return false;
		if (phone_find_country(country->alpha2) != country)
			return false;
		if (!phone_prefix_list_valid(country->trunk, true) ||
			!phone_prefix_list_valid(country->intl, false))
			return false;

		n = phone_u64_digits(country->cc, buf);
		if (!phone_bounds_valid(n, country->min_nsn, country->max_nsn))
			return false;

		code = phone_find_calling_code(country->cc);
		if (code == NULL || code->region[0] == '\0')
			return false;
		main_country = phone_find_country(code->region);
		if (main_country == NULL || main_country->cc != country->cc)
			return false;

		/*
		 * A number parsed with this country as default must be accepted by
		 * the main country's bounds when parsed back from "+...".
		 */
		if (main_country->min_nsn != 0 &&
			(country->min_nsn < main_country->min_nsn ||
			 country->max_nsn > main_country->max_nsn ||
			 country->min_nsn == 0))
			return false;
	}
	return true;
}
