/*-------------------------------------------------------------------------
 *
 * cluster.c
 *	  Clustering of scored identity pairs: union-find with a guard.
 *
 * Plain union-find over every pair above the match threshold chains
 * records: A~B and B~C put A and C together even when A and C are plainly
 * two people.  So the pairs are joined best first, and a join is refused
 * when it would put in one cluster
 *	- two records whose own pair scored as a non-match (a "cannot-link"
 *	  edge; unmerge_identity adds such edges too), or
 *	- two different emails and two different phones (conflicting strong
 *	  identifiers: never merged automatically, whatever the names say).
 * Each root keeps a linked list of its cannot-link edges; a join walks the
 * shorter list of the two, and the lists are concatenated in O(1).
 *
 *-------------------------------------------------------------------------
 */
#define OMNI_IDENTITY_SERVER
#include "identity/identity.h"

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(omni_identity_cluster);

typedef struct UnionFind
{
	int			n;
	int		   *parent;
	int		   *size;
	/* cannot-link lists: per root, entries (other endpoint, next entry) */
	int		   *head;
	int		   *tail;
	int		   *count;
	int		   *other;
	int		   *next;
	/* strong identifiers of each root: 0 = none */
	int32	   *email;
	int64	   *phone;
	/* does the cluster hold two or more different emails, phones? */
	bool	   *emails;
	bool	   *phones;
} UnionFind;

static int
Find(UnionFind *uf, int x)
{
	while (uf->parent[x] != x)
	{
		uf->parent[x] = uf->parent[uf->parent[x]];	/* path halving */
		x = uf->parent[x];
	}
	return x;
}

static bool
StrongConflict(const UnionFind *uf, int ra, int rb)
{
	return uf->email[ra] != 0 && uf->email[rb] != 0 && uf->email[ra] != uf->email[rb] &&
		uf->phone[ra] != 0 && uf->phone[rb] != 0 && uf->phone[ra] != uf->phone[rb];
}

/* Would the union of two clusters hold several emails, several phones? */
static bool
SeveralEmails(const UnionFind *uf, int ra, int rb)
{
	return uf->emails[ra] || uf->emails[rb] ||
		(uf->email[ra] != 0 && uf->email[rb] != 0 && uf->email[ra] != uf->email[rb]);
}

static bool
SeveralPhones(const UnionFind *uf, int ra, int rb)
{
	return uf->phones[ra] || uf->phones[rb] ||
		(uf->phone[ra] != 0 && uf->phone[rb] != 0 && uf->phone[ra] != uf->phone[rb]);
}

/*
 * A scored join may not create a cluster with two emails and two phones
 * that no shared identifier ties: joining A (email e1, phone p1) to B
 * (e2 in one record, p2 in another) is the conflict of two customers
 * even though no single record of B has both, and best-first order would
 * otherwise decide whether it happens (A with B's e2 record first, then
 * B's p2 record).  A cluster that already holds several of each (by sure
 * links) may take records that add no conflict.
 */
static bool
CreatesConflict(const UnionFind *uf, int ra, int rb)
{
	return SeveralEmails(uf, ra, rb) && SeveralPhones(uf, ra, rb) &&
		!(uf->emails[ra] && uf->phones[ra]) && !(uf->emails[rb] && uf->phones[rb]);
}

/* Does a cannot-link edge run between the clusters of ra and rb? */
static bool
CannotLink(UnionFind *uf, int ra, int rb)
{
	int			from = uf->count[ra] <= uf->count[rb] ? ra : rb;
	int			to = from == ra ? rb : ra;

	for (int e = uf->head[from]; e >= 0; e = uf->next[e])
		if (Find(uf, uf->other[e]) == to)
			return true;
	return false;
}

/*
 * Join the clusters of a and b unless the guard forbids it.  A sure link
 * (the two records share an email or a phone, or a person said so) skips
 * the strong-identifier check: each cluster keeps one email and one phone
 * only, and a cluster with two emails could otherwise look in conflict with
 * a record sharing its second one.
 */
static bool
Union(UnionFind *uf, int a, int b, bool sure)
{
	int			ra = Find(uf, a),
				rb = Find(uf, b);
	bool		several_emails,
				several_phones;

	if (ra == rb)
		return true;
	if ((!sure && (StrongConflict(uf, ra, rb) || CreatesConflict(uf, ra, rb))) ||
		CannotLink(uf, ra, rb))
		return false;
	several_emails = SeveralEmails(uf, ra, rb);
	several_phones = SeveralPhones(uf, ra, rb);
	if (uf->size[ra] < uf->size[rb])
	{
		int			t = ra;

		ra = rb;
		rb = t;
	}
	uf->parent[rb] = ra;
	uf->size[ra] += uf->size[rb];
	if (uf->email[ra] == 0)
		uf->email[ra] = uf->email[rb];
	if (uf->phone[ra] == 0)
		uf->phone[ra] = uf->phone[rb];
	uf->emails[ra] = several_emails;
	uf->phones[ra] = several_phones;
	if (uf->head[rb] >= 0)
	{
		if (uf->head[ra] < 0)
			uf->head[ra] = uf->head[rb];
		else
			uf->next[uf->tail[ra]] = uf->head[rb];
		uf->tail[ra] = uf->tail[rb];
		uf->count[ra] += uf->count[rb];
	}
	return true;
}

static void
AddCannotLink(UnionFind *uf, int entry, int from, int to)
{
	uf->other[entry] = to;
	uf->next[entry] = -1;
	if (uf->head[from] < 0)
		uf->head[from] = entry;
	else
		uf->next[uf->tail[from]] = entry;
	uf->tail[from] = entry;
	uf->count[from]++;
}

/* the weight resolve_identities gives deterministic links and must-links */
#define SURE_LINK 1000.0

static const double *sort_weights;

static int
CmpEdgeDesc(const void *x, const void *y)
{
	double		a = sort_weights[*(const int *) x];
	double		b = sort_weights[*(const int *) y];

	if (a != b)
		return a > b ? -1 : 1;
	return *(const int *) x - *(const int *) y;	/* stable: input order */
}

static void *
ArrayOf(ArrayType *arr, Oid type, int n, const char *what)
{
	if (ARR_ELEMTYPE(arr) != type || ARR_HASNULL(arr) || ARR_NDIM(arr) > 1 ||
		ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be an array of %d elements without NULLs", what, n)));
	return ARR_DATA_PTR(arr);
}

/*
 * omni.identity_cluster(email int4[], phone int8[], a int4[], b int4[],
 *						 w float8[], match float8, nonmatch float8) -> int4[]
 *
 * Nodes are 0..n-1 (n = length of email and phone, their strong ids, 0 for
 * none).  Edge k joins a[k] and b[k] with match weight w[k]: at least
 * match joins, at most nonmatch forbids, in between is ignored.  Returns
 * for each node the smallest node of its cluster.
 */
/*
 * Clusters n nodes (email, phone: their strong ids, 0 for none) over ne
 * edges (ea[k], eb[k], w[k]): at least match joins, at most nonmatch
 * forbids, in between is ignored.  Fills labels with the smallest node of
 * each node's cluster.  resolve_identities calls it from C
 * (identity_resolve_core), omni.identity_cluster from SQL.
 */
void
OmniClusterNodes(int n, const int32 *email, const int64 *phone,
				 int ne, const int32 *ea, const int32 *eb, const double *w,
				 double match, double nonmatch, int32 *labels)
{
	UnionFind	uf;
	int		   *order;
	int			npos = 0,
				nneg = 0;
	int		   *minnode;

	uf.n = n;
	uf.email = palloc(sizeof(int32) * (n + 1));
	uf.phone = palloc(sizeof(int64) * (n + 1));
	memcpy(uf.email, email, sizeof(int32) * n);
	memcpy(uf.phone, phone, sizeof(int64) * n);
	uf.emails = palloc0(sizeof(bool) * (n + 1));
	uf.phones = palloc0(sizeof(bool) * (n + 1));
	uf.parent = palloc(sizeof(int) * (n + 1));
	uf.size = palloc(sizeof(int) * (n + 1));
	uf.head = palloc(sizeof(int) * (n + 1));
	uf.tail = palloc(sizeof(int) * (n + 1));
	uf.count = palloc0(sizeof(int) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		uf.parent[i] = i;
		uf.size[i] = 1;
		uf.head[i] = uf.tail[i] = -1;
	}
	for (int k = 0; k < ne; k++)
		if (ea[k] < 0 || ea[k] >= n || eb[k] < 0 || eb[k] >= n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("edge %d joins node %d and %d, outside 0..%d", k, ea[k], eb[k], n - 1)));

	/* cannot-link edges, stored at both ends */
	for (int k = 0; k < ne; k++)
		if (w[k] <= nonmatch)
			nneg++;
	uf.other = palloc(sizeof(int) * (2 * nneg + 1));
	uf.next = palloc(sizeof(int) * (2 * nneg + 1));
	nneg = 0;
	order = palloc(sizeof(int) * (ne + 1));
	for (int k = 0; k < ne; k++)
	{
		if (w[k] <= nonmatch)
		{
			AddCannotLink(&uf, nneg++, ea[k], eb[k]);
			AddCannotLink(&uf, nneg++, eb[k], ea[k]);
		}
		else if (w[k] >= match)
			order[npos++] = k;
	}

	/* the best pairs first, so a doubtful link cannot pre-empt a sure one */
	sort_weights = w;
	qsort(order, npos, sizeof(int), CmpEdgeDesc);
	for (int i = 0; i < npos; i++)
	{
		CHECK_FOR_INTERRUPTS();
		Union(&uf, ea[order[i]], eb[order[i]], w[order[i]] >= SURE_LINK);
	}

	minnode = palloc(sizeof(int) * (n + 1));
	for (int i = 0; i < n; i++)
		minnode[i] = -1;
	for (int i = 0; i < n; i++)
	{
		int			r = Find(&uf, i);

		if (minnode[r] < 0)
			minnode[r] = i;		/* nodes are visited in order: the first is the smallest */
		labels[i] = minnode[r];
	}
	pfree(uf.email);
	pfree(uf.phone);
	pfree(uf.emails);
	pfree(uf.phones);
	pfree(uf.parent);
	pfree(uf.size);
	pfree(uf.head);
	pfree(uf.tail);
	pfree(uf.count);
	pfree(uf.other);
	pfree(uf.next);
	pfree(order);
	pfree(minnode);
}

Datum
omni_identity_cluster(PG_FUNCTION_ARGS)
{
	ArrayType  *aemail = PG_GETARG_ARRAYTYPE_P(0);
	int			n = ArrayGetNItems(ARR_NDIM(aemail), ARR_DIMS(aemail));
	int			ne = ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(2)),
									ARR_DIMS(PG_GETARG_ARRAYTYPE_P(2)));
	int32	   *ea = ArrayOf(PG_GETARG_ARRAYTYPE_P(2), INT4OID, ne, "a");
	int32	   *eb = ArrayOf(PG_GETARG_ARRAYTYPE_P(3), INT4OID, ne, "b");
	double	   *w = ArrayOf(PG_GETARG_ARRAYTYPE_P(4), FLOAT8OID, ne, "w");
	int32	   *labels = palloc(sizeof(int32) * (n + 1));
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));

	OmniClusterNodes(n, ArrayOf(aemail, INT4OID, n, "email"),
					 ArrayOf(PG_GETARG_ARRAYTYPE_P(1), INT8OID, n, "phone"),
					 ne, ea, eb, w, PG_GETARG_FLOAT8(5), PG_GETARG_FLOAT8(6), labels);
	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum(labels[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
}
