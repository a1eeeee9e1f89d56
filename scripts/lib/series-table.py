#!/usr/bin/env python3
"""Issue 16's targets as one table, from the run outputs scripts/benchmark-series.sh kept.

    python3 scripts/lib/series-table.py <dir> [started]

Reads <dir>/NN-<what>.log (the deployed runs' outputs, <what> = redis-drain, redis-burst, ..., http, baseline)
and <dir>/backlog.log. Each median is given raw and scaled to the targets' machine: each run's events/s x its
own CPU reference / 1.6 s. Ratios are not scaled. A figure whose runs all failed shows as "no run".
"""
import glob
import os
import re
import statistics
import sys

REFERENCE = 1.6  # s: the CPU reference of the machine issue 16's targets were set on


def number(pattern, text, default=None):
    m = re.search(pattern, text, re.M)
    return float(m.group(1)) if m else default


def runs(directory, what):
    """Each successful run of <what>: a dict of its figures."""
    found = []
    for path in sorted(glob.glob(os.path.join(directory, '[0-9][0-9]-%s.log' % what))):
        text = open(path, errors='replace').read()
        if not re.search(r'^  rows .*PASS', text, re.M):
            continue
        found.append({
            'rate': number(r'^  events/s\s+([0-9.]+)', text)
            or number(r'^  http max rate, first commit to last row .*rows/s=([0-9.]+)', text),
            'cpu': number(r'^  CPU reference\s+([0-9.]+)', text),
            'io': number(r'^  I/O reference\s+([0-9.]+)', text),
            'rss': number(r'^  peak RSS \(VmHWM\)\s+([0-9]+)', text),
            'team': number(r'^  team consumer\s+([0-9.]+)', text),
            'team_ratio': number(r'^  ratio to the team\s+([0-9.]+)x', text),
            'baseline': number(r'^  one-at-a-time\s+([0-9.]+)', text),
            'baseline_ratio': number(r'^  ratio\s+([0-9.]+)x', text),
            'p99': number(r'^  http half rate.* p99=([0-9.]+)ms', text),
        })
    return found


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def scaled(run):
    return run['rate'] * run['cpu'] / REFERENCE if run['rate'] and run['cpu'] else None


def fmt(value, unit=''):
    return 'no run' if value is None else '{:,.0f}{}'.format(value, unit)


def pct(value):
    return 'no run' if value is None else '%.1f %%' % value


def yardstick(target, found, key, least, form):
    """The app's ratio to a yardstick (key: 'team' or 'baseline'), its median against {least}, unscaled."""
    ratio = median([r[key + '_ratio'] for r in found])
    return (target, '%s (%s; the %s %s events/s)' % (
        'no run' if ratio is None else form % ratio,
        ' / '.join(form % r[key + '_ratio'] for r in found if r[key + '_ratio']),
        'team' if key == 'team' else 'worker', ' / '.join(fmt(r[key]) for r in found if r[key])),
        '', 'yes' if ratio and ratio >= least else 'no')


def main():
    directory = sys.argv[1]
    started = sys.argv[2] if len(sys.argv) > 2 else ''
    rows = []
    cpu = [r['cpu'] for what in ('redis-drain', 'redis-burst', 'nats-drain', 'nats-burst', 'rabbitmq-drain',
                                 'rabbitmq-burst', 'http', 'baseline') for r in runs(directory, what) if r['cpu']]
    io = [r['io'] for what in ('redis-drain', 'nats-drain', 'rabbitmq-drain') for r in runs(directory, what) if r['io']]
    targets = {'redis': 20000, 'nats': 20000, 'rabbitmq': 15000}
    for source, target in targets.items():
        drains, bursts = runs(directory, source + '-drain'), runs(directory, source + '-burst')
        raw, sc = median([r['rate'] for r in drains]), median([scaled(r) for r in drains])
        rows.append(('%s >= %s events/s at the long drain' % (source, fmt(target)),
                     '%s (%s)' % (fmt(raw), ' / '.join(fmt(r['rate']) for r in drains)),
                     fmt(sc), 'yes' if raw and raw >= target else ('scaled' if sc and sc >= target else 'no')))
        braw, bsc = median([r['rate'] for r in bursts]), median([scaled(r) for r in bursts])
        ratio = 100 * braw / raw if braw and raw else None
        sratio = 100 * bsc / sc if bsc and sc else None
        rows.append(('%s burst >= 90 %% of the long drain' % source,
                     '%s (%s) = %s' % (fmt(braw), ' / '.join(fmt(r['rate']) for r in bursts), pct(ratio)),
                     pct(sratio), 'yes' if ratio and ratio >= 90 else ('scaled' if sratio and sratio >= 90 else 'no')))
        if source == 'rabbitmq':
            rows.append(yardstick('>= 2x the team\'s batch consumer (RabbitMQ)', drains, 'team', 2, '%.2fx'))
    http = runs(directory, 'http')
    hraw, hsc = median([r['rate'] for r in http]), median([scaled(r) for r in http])
    rows.append(('HTTP >= 40,000 rows/s, 8 clients, arrays of 100', fmt(hraw), fmt(hsc),
                 'yes' if hraw and hraw >= 40000 else ('scaled' if hsc and hsc >= 40000 else 'no')))
    p99 = median([r['p99'] for r in http])
    rows.append(('p99 < 100 ms at half that rate', 'no run' if p99 is None else '%.1f ms' % p99, '',
                 'yes' if p99 is not None and p99 < 100 else 'no'))
    rows.append(yardstick('>= 30x the one-at-a-time worker', runs(directory, 'baseline'), 'baseline', 30, '%.1fx'))
    backlog = os.path.join(directory, 'backlog.log')
    if os.path.exists(backlog):
        text = open(backlog, errors='replace').read()
        rate, rss = number(r'^  rate\s+([0-9.]+) %', text), number(r'^  peak RSS\s+([+-]?[0-9]+) MB', text)
        rows.append(('1,000,000-event backlog within 10 %, RSS <= +64 MB',
                     'no run' if rate is None else '%.1f %%, RSS %+d MB' % (rate, rss or 0), '',
                     'yes' if rate is not None and rate >= 90 and rss is not None and rss <= 64 else 'no'))
    rss = [r['rss'] for what in ('redis-drain', 'nats-drain', 'rabbitmq-drain', 'redis-burst', 'nats-burst',
                                 'rabbitmq-burst', 'http') for r in runs(directory, what) if r['rss']]
    rows.append(('peak RSS with -Xmx512m (printed)', '%d-%d MB' % (min(rss), max(rss)) if rss else 'no run', '', ''))

    print('issue 16 series%s: CPU reference %s s, I/O reference %s s (1.6 s: the targets\' machine)' % (
        ' from ' + started if started else '',
        '%.2f-%.2f' % (min(cpu), max(cpu)) if cpu else '?', '%.2f-%.2f' % (min(io), max(io)) if io else '?'))
    print()
    print('met?: yes; "scaled": only scaled by the CPU reference, as the issue allows on a slower machine; no.')
    print()
    print('| target | measured (median; the runs) | scaled by each run\'s CPU reference | met? |')
    print('|---|---|---|---|')
    for row in rows:
        print('| %s | %s | %s | %s |' % row)


if __name__ == '__main__':
    main()
