#!/usr/bin/env python3
# Learns pipeline/polyphone_context.txt, the context model of polyphones (a decision list of
# character contexts), from the tuning part of CPP (four fifths of its dev split; every 5th
# sentence is held out and never read here). SPDX-License-Identifier: GPL-3.0-or-later
#
#   make BUILD=build/base POLYPHONE_CONTEXT= all build/base/run_cases
#   BUILD=build/base sh tests/bench_cpp.sh --tuning | python3 tests/train_polyphones.py \
#       > pipeline/polyphone_context.txt
#
# Input: "line TAB label TAB bobao's reading TAB sentence with the polyphone marked ▁X▁", the
# readings of a lexicon built without the model, "*" after those no word settles, "*!" after
# a common polyphone's usual reading. A rule says: the polyphone X in this context reads R.
# Levels, most specific first: C (previous, X, next), L (two before, X), R (X, two after),
# l (previous, X), r (X, next), D (X anywhere; only for readings no word settles and not a
# common polyphone's: its default stays the lexicon's, 为, 差). Each level is learned against
# the readings the less specific levels already give, from the least specific up; a rule is
# kept when it mends at least MIN_GAIN readings and at least RATIO times as many as it
# spoils, a D rule only for a reading that is at least D_SHARE of the character's labels
# where no word settles it; the three thresholds are those that read best in a FOLDS-fold
# cross-validation over the tuning part. No rule undoes the dictionary's neutral tone.
import sys
from collections import defaultdict

LEVELS = 'DrlRLC'  # learned in this order; at reading time the last that matches wins
FOLDS = 4
GRID = [(g, r, d) for g in (2, 3) for r in (1, 2, 3, 5) for d in (0.6, 0.75, 0.9)]  # one example is no evidence


def hanzi(c):
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def contexts(s, i):
    """The contexts of position i of sentence s, by level (hanzi only, as bobao sees a run)."""
    c = s[i]
    h = lambda k: 0 <= k < len(s) and hanzi(s[k])
    out = {'D': c}
    if h(i - 1):
        out['l'] = s[i - 1] + c
    if h(i + 1):
        out['r'] = c + s[i + 1]
    if h(i - 1) and h(i - 2):
        out['L'] = s[i - 2:i + 1]
    if h(i + 1) and h(i + 2):
        out['R'] = s[i:i + 3]
    if h(i - 1) and h(i + 1):
        out['C'] = s[i - 1:i + 2]
    return out


def learn(items, min_gain, ratio, d_share):
    """The rules, level by level ([(level, context, reading, net)]), learned from items."""
    labels = defaultdict(lambda: defaultdict(int))  # character -> label -> count, read alone
    for it in items:
        if it[3]:
            labels[it[4]][it[0]] += 1
    work = [[it[0], it[1], it[2]] for it in items]
    rules = []
    for level in LEVELS:
        seen = defaultdict(list)
        for it in work:
            key = it[2].get(level)
            if key:
                seen[key].append(it)
        chosen = {}
        for key, its in seen.items():
            best = None
            for r in set(it[0] for it in its):
                if any(it[1].endswith('5') and it[1][:-1] == r[:-1] for it in its):
                    continue  # the dictionary's neutral tone stays (知识 zhi1 shi5; CPP: shi2)
                g = sum(1 for it in its if it[1] != it[0] and it[0] == r)
                loss = sum(1 for it in its if it[1] == it[0] and it[0] != r)
                if level == 'D' and labels[key][r] < d_share * sum(labels[key].values()):
                    continue  # a common polyphone: its default stays the lexicon's
                if g >= min_gain and g >= ratio * loss and (best is None or g - loss > best[1]):
                    best = (r, g - loss)
            if best:
                chosen[key] = best
        for key, (r, net) in sorted(chosen.items()):
            rules.append((level, key, r, net))
        for it in work:  # the next level learns against these readings
            key = it[2].get(level)
            if key in chosen:
                it[1] = chosen[key][0]
    return rules


def score(items, rules):
    """How many items the rules read right (the most specific level first, as pronounce.c)."""
    table = {(level, key): r for level, key, r, net in rules}
    right = 0
    for it in items:
        got = it[1]
        for level in reversed(LEVELS):
            key = it[2].get(level)
            if key and (level, key) in table:
                got = table[(level, key)]
                break
        right += got == it[0]
    return right


def main():
    items = []
    for line in sys.stdin:
        f = line.rstrip('\n').split('\t')
        if len(f) != 4:
            continue
        no, want, got, sent = f
        if int(no) % 5 == 0:
            sys.exit('train_polyphones: a held-out sentence in the input (line %s)' % no)
        a = sent.find('▁')
        b = sent.find('▁', a + 1)
        if a < 0 or b != a + 2:
            continue
        s = sent[:a] + sent[a + 1] + sent[b + 1:]
        alone = got.endswith('*')
        nodef = got.endswith('*!') or not alone  # a common polyphone, or in a word: no D rule
        if s[a] in '一不':
            continue
        ctx = contexts(s, a)
        if nodef:
            del ctx['D']
        items.append([want, got.rstrip('*!'), ctx, alone, s[a]])
    # the thresholds: those that read best across FOLDS folds of the tuning part
    best = None
    for min_gain, ratio, d_share in GRID:
        right = 0
        for k in range(FOLDS):
            train = [it for i, it in enumerate(items) if i % FOLDS != k]
            test = [it for i, it in enumerate(items) if i % FOLDS == k]
            right += score(test, learn(train, min_gain, ratio, d_share))
        if best is None or right > best[0]:
            best = (right, min_gain, ratio, d_share)
    cv, min_gain, ratio, d_share = best
    rules = learn(items, min_gain, ratio, d_share)
    right = score(items, rules)
    print('# The context model of polyphones, learned by tests/train_polyphones.py from the tuning')
    print('# part of CPP (g2pM\'s data, Apache-2.0; sentences from Chinese Wikipedia): "?LEVEL TAB')
    print('# CONTEXT TAB READING TAB NET", most specific level first at reading time (C previous,')
    print('# X, next; L two before, X; R X, two after; l previous, X; r X, next; D X anywhere).')
    print('# %d rules (MIN_GAIN %d, RATIO %g, D_SHARE %g: best of %d folds, %d/%d); the tuning'
          % (len(rules), min_gain, ratio, d_share, FOLDS, cv, len(items)))
    print('# part: %d/%d (%.2f%%). Generated: do not edit, retrain.'
          % (right, len(items), 100.0 * right / max(1, len(items))))
    for level, key, r, net in rules:
        print('?%s\t%s\t%s\t%d' % (level, key, r, net))
    print('train_polyphones: %d rules (min gain %d, ratio %g, D share %g; %d folds: %d/%d), '
          'tuning part %d/%d' % (len(rules), min_gain, ratio, d_share, FOLDS, cv, len(items),
                                 right, len(items)), file=sys.stderr)


main()
