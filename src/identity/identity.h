/*-------------------------------------------------------------------------
 *
 * identity.h
 *	  Customer identity matching: comparators, normalisation, scoring,
 *	  the blocking-key index and clustering.
 *
 * The first half of this header is plain C (no PostgreSQL header, no
 * allocation): compare.c and normalise.c are built into the server and,
 * alone, into the unit tests under test/unit/.  The second half is only
 * seen by the server-side files (score.c, candidates.c, cluster.c,
 * functions.c), which define OMNI_IDENTITY_SERVER before including it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_IDENTITY_H
#define OMNI_IDENTITY_H

#include <stdint.h>

/* Longest string, in code points, that the comparators look at. */
#define OMNI_ID_MAXCHARS 255

/* compare.c: string comparators over UTF-8 */
extern int	omni_utf8_decode(const char *s, int len, uint32_t *out, int max);
extern double omni_jaro_cp(const uint32_t *a, int la, const uint32_t *b, int lb);
extern double omni_jaro_winkler_cp(const uint32_t *a, int la, const uint32_t *b, int lb);
extern double omni_jaro_winkler_utf8(const char *a, int la, const char *b, int lb);
extern int	omni_damerau_levenshtein_cp(const uint32_t *a, int la,
										const uint32_t *b, int lb, int *work);
extern int	omni_damerau_levenshtein_work_size(int la, int lb);
extern int	omni_damerau_levenshtein_utf8(const char *a, int la, const char *b, int lb);
extern int	omni_within_one_edit(const char *a, int la, const char *b, int lb);
extern int	omni_soundex(const char *s, int len, char *out);
extern const char *omni_nickname_root(const char *name, int len);

/* Agreement levels shared by every field: higher is closer. */
#define OMNI_LEVEL_NULL		(-1)	/* one side missing: no evidence */
#define OMNI_LEVEL_NONE		0		/* disagree */
#define OMNI_LEVEL_WEAK		1
#define OMNI_LEVEL_CLOSE	2
#define OMNI_LEVEL_EXACT	3
#define OMNI_NLEVELS		4

extern int	omni_compare_dates(const char *a, int la, const char *b, int lb);
extern int	omni_compare_postcodes(const char *a, int la, const char *b, int lb);
extern int	omni_compare_names(const char *a, int la, const char *b, int lb,
							   int nicknames);
extern int	omni_compare_text(const char *a, int la, const char *b, int lb);
extern int	omni_compare_address(const char *a, int la, const char *b, int lb);

/* normalise.c: folding of user input to matching form */
extern int	omni_fold_str(const char *in, int len, char *out, int outsize, int keep_digits);
extern int	omni_fold_postcode(const char *in, int len, char *out, int outsize);
extern int	omni_parse_date(const char *in, int len, char *out);

#ifdef OMNI_IDENTITY_SERVER
#include "postgres.h"
#include "utils/jsonb.h"

/*
 * The fields of a normalised record (omni.identities.norm), in the order of
 * the model array and of the levels vector.
 */
typedef enum OmniField
{
	OMNI_F_FIRST_NAME,
	OMNI_F_LAST_NAME,
	OMNI_F_BIRTH_DATE,
	OMNI_F_POSTCODE,
	OMNI_F_CITY,
	OMNI_F_ADDRESS,
	OMNI_F_EMAIL,
	OMNI_F_PHONE,
	OMNI_NFIELDS
} OmniField;

/* Phonetic codes are kept beside the names, for blocking */
#define OMNI_F_FIRST_PHON	OMNI_NFIELDS
#define OMNI_F_LAST_PHON	(OMNI_NFIELDS + 1)
#define OMNI_NKEYS			(OMNI_NFIELDS + 2)

extern const char *const omni_field_names[OMNI_NFIELDS];
extern const char *const omni_field_keys[OMNI_NKEYS];

/* A normalised record: pointers into a jsonb, not NUL-terminated */
typedef struct OmniRecord
{
	const char *v[OMNI_NKEYS];
	int			len[OMNI_NKEYS];
} OmniRecord;

extern void OmniRecordFromJsonb(Jsonb *jb, OmniRecord *rec);
extern void OmniRecordLevels(const OmniRecord *a, const OmniRecord *b, int *levels);

/* model array: [0] prior log2-odds, then m[f][l], then u[f][l] */
#define OMNI_MODEL_LEN		(1 + 2 * OMNI_NFIELDS * OMNI_NLEVELS)
#define OMNI_MODEL_M(f, l)	(1 + (f) * OMNI_NLEVELS + (l))
#define OMNI_MODEL_U(f, l)	(1 + OMNI_NFIELDS * OMNI_NLEVELS + (f) * OMNI_NLEVELS + (l))

/* Term-frequency adjusted fields, in the order of the tf array */
#define OMNI_NTF 4
extern const int omni_tf_fields[OMNI_NTF];

extern int	OmniBlockingKeys(const OmniRecord *rec, uint32_t *keys, int max);
#define OMNI_MAX_BLOCKING_KEYS 32

/* score.c: a model read once, and the score of one pair under it */
typedef struct OmniWeights
{
	double		prior;
	double		w[OMNI_NFIELDS][OMNI_NLEVELS];	/* log2(m/u) */
} OmniWeights;

typedef struct OmniPairScore
{
	int			levels[OMNI_NFIELDS];
	double		weights[OMNI_NFIELDS];
	bool		tf_used[OMNI_NFIELDS];
	double		total;
} OmniPairScore;

extern void OmniWeightsFromModel(OmniWeights *mw, const double *model);
extern void OmniScoreRecords(const OmniWeights *mw, const double *tf,
							 const OmniRecord *a, const OmniRecord *b,
							 OmniPairScore *ps);
extern Jsonb *OmniExplainScore(const OmniWeights *mw, const OmniPairScore *ps);

/* cluster.c */
extern void OmniClusterNodes(int n, const int32 *email, const int64 *phone,
							 int ne, const int32 *ea, const int32 *eb, const double *w,
							 double match, double nonmatch, int32 *labels);

/* settings (functions.c) */
extern double omni_identity_match_threshold;
extern double omni_identity_nonmatch_threshold;
extern int	omni_identity_max_candidates;

#endif

#endif							/* OMNI_IDENTITY_H */
