#!/usr/bin/env python3
"""Offline prototype of the repeat part of omni.recommend (doc/recommend.md).

Reads UCI Online Retail with the split of test/bench/recommend.sh (last
invoice test, the one before validation; lines of known customers whose
stock code starts with a digit; cancellations ignored) and prints NDCG@10
and Recall@10 on VALIDATION of personal popularity (it must print 0.2779,
the script's figure) and of the forms of the repeat score that were
compared before the C code was written.  Pure Python, about a minute:

    python3 test/bench/recommend/prototype.py [path/to/online_retail_uci.csv.gz]
"""
import collections
import csv
import datetime
import gzip
import math
import sys

path = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/retail/online_retail_uci.csv.gz'

# invoices per customer: (time, invoice, set of SKUs), oldest first
invoices = collections.defaultdict(dict)
with gzip.open(path, 'rt', encoding='utf-8', errors='replace') as f:
    rows = csv.reader(f)
    next(rows)
    for inv, code, _, qty, at, _, cust, _ in rows:
        if not cust or not code[:1].isdigit() or inv.startswith('C') or int(qty) <= 0:
            continue
        b = invoices[int(float(cust))].setdefault(inv, [at, set()])
        b[0] = min(b[0], at)
        b[1].add(code.upper())
history, truth = {}, {}
for c, d in invoices.items():
    bl = sorted(((at, inv, s) for inv, (at, s) in d.items()), key=lambda b: (b[0], b[1]))
    # a customer's only invoice is training data (nothing to hold out)
    train = [s for _, _, s in (bl[:-2] if len(bl) >= 2 else bl)]
    if train:
        history[c] = train
    if len(bl) >= 3:
        truth[c] = bl[-2][2]    # validation basket; the last one is never read

popularity = collections.Counter(x for h in history.values() for x in set().union(*h))
fill = [x for x, _ in sorted(popularity.items(), key=lambda kv: (-kv[1], kv[0]))[:20]]
IDCG = [0] + [sum(1 / math.log2(i + 1) for i in range(1, n + 1)) for n in range(1, 11)]

# per SKU: baskets holding it again after a customer's first purchase of it,
# and the baskets those customers had after that first purchase
again, chances = collections.Counter(), collections.Counter()
for h in history.values():
    first = {}
    for i, s in enumerate(h):
        for x in s:
            if x in first:
                again[x] += 1
            else:
                first[x] = i
    for x, i in first.items():
        chances[x] += len(h) - 1 - i
all_rate = sum(again.values()) / sum(chances.values())


def evaluate(score):
    ndcg = recall = 0
    for c, t in truth.items():
        h = history[c]
        n = len(h)
        f = {}
        for i, s in enumerate(h):
            for x in s:
                f.setdefault(x, [0, i, i])
                f[x][0] += 1
                f[x][2] = i
        sc = {x: score(n, *v, x) for x, v in f.items()}
        recs = [x for x, _ in sorted(sc.items(), key=lambda kv: (-kv[1], -popularity[kv[0]], kv[0]))[:10]]
        recs += [x for x in fill if x not in sc][:10 - len(recs)]
        hits = [i for i, x in enumerate(recs) if x in t]
        ndcg += sum(1 / math.log2(i + 2) for i in hits) / IDCG[min(len(t), 10)]
        recall += len(hits) / len(t)
    return ndcg / len(truth), recall / len(truth)


def repeat_chance(prior, smoothing, recency):
    def score(n, baskets, first, last, x):
        rate = (again[x] + smoothing * all_rate) / (chances[x] + smoothing)
        return (baskets - 1 + prior * rate) / (n - 1 - first + prior) + recency * 0.5 ** (n - 1 - last)
    return score


print('validation customers: %d' % len(truth))
print('personal popularity (basket counts)   NDCG@10 %.4f  Recall@10 %.4f' % evaluate(lambda n, b, fi, la, x: b))
for r in (0.95, 0.9, 0.8, 0.7):
    nd = rc = 0
    for c, t in truth.items():
        h = history[c]
        v = collections.Counter()
        for i, s in enumerate(h):
            for x in s:
                v[x] += r ** (len(h) - 1 - i)
        recs = [x for x, _ in sorted(v.items(), key=lambda kv: (-kv[1], -popularity[kv[0]], kv[0]))[:10]]
        recs += [x for x in fill if x not in v][:10 - len(recs)]
        hits = [i for i, x in enumerate(recs) if x in t]
        nd += sum(1 / math.log2(i + 2) for i in hits) / IDCG[min(len(t), 10)]
        rc += len(hits) / len(t)
    print('basket counts decayed %.2f a basket   NDCG@10 %.4f  Recall@10 %.4f' % (r, nd / len(truth), rc / len(truth)))
for prior in (5, 10, 20):
    for recency in (0, 0.05):
        print('repeat chance prior %2d smoothing 100 recency %.2f  NDCG@10 %.4f  Recall@10 %.4f'
              % ((prior, recency) + evaluate(repeat_chance(prior, 100, recency))))
