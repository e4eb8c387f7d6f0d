#!/usr/bin/env python3
"""Compares two outputs of bench/survival/robust_starts.cpp (old new): lists every fit whose logLik is
lower / higher by more than 1e-4, whose flags or convergence differ, and totals CPU ms and evaluations
(value/gradient/Hessian, when printed) per design and distribution."""
import sys


def load(path):
    fits = {}
    for line in open(path):
        if not line[:1].isdigit():
            continue
        parts = line.split()
        kv = {x.split('=', 1)[0]: x.split('=', 1)[1] for x in parts[1:] if '=' in x}
        ev = [int(v) for v in kv['evals'].split('/')] if 'evals' in kv else [0, 0, 0]
        key = (kv['design'], parts[5])
        fits[parts[0]] = dict(ll=float(kv['ll']), conv=kv['conv'], flags=kv['flags'], ms=float(kv['ms']),
                              ev=ev, key=key, line=line.strip())
    return fits


old, new = load(sys.argv[1]), load(sys.argv[2])
count = dict(lower=0, lower_converged=0, higher=0, flags=0, conv=0)
for k, o in old.items():
    n = new[k]
    tags = []
    if n['ll'] < o['ll'] - 1e-4:
        count['lower'] += 1
        tags.append('LOWER')
        if n['conv'] == '1' or o['conv'] == '1':
            count['lower_converged'] += 1
    if n['ll'] > o['ll'] + 1e-4:
        count['higher'] += 1
        tags.append('HIGHER')
    if n['flags'] != o['flags']:
        count['flags'] += 1
        tags.append('FLAGS')
    if n['conv'] != o['conv']:
        count['conv'] += 1
        tags.append('CONV')
    if tags:
        print(' '.join(tags), o['line'], '\n    new: ll=%.6f conv=%s flags=%s' % (n['ll'], n['conv'], n['flags']))
print('fits %d: lower %d (of which converged old or new: %d), higher %d, flags differ %d, convergence differs %d'
      % (len(old), count['lower'], count['lower_converged'], count['higher'], count['flags'], count['conv']))
keys = sorted({v['key'] for v in old.values()})
print('%-14s %5s %10s %10s %16s %16s' % ('design dist', 'fits', 'old ms', 'new ms', 'old v/g/H', 'new v/g/H'))
for key in keys + [('all', '')]:
    ks = [k for k in old if key[0] == 'all' or old[k]['key'] == key]
    so = [sum(old[k]['ev'][i] for k in ks) for i in range(3)]
    sn = [sum(new[k]['ev'][i] for k in ks) for i in range(3)]
    print('%-14s %5d %10.1f %10.1f %16s %16s' % (' '.join(key), len(ks), sum(old[k]['ms'] for k in ks),
                                                 sum(new[k]['ms'] for k in ks), '/'.join(map(str, so)),
                                                 '/'.join(map(str, sn))))
