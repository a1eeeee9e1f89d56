#!/usr/bin/env python3
# The deployed benchmark's CPU by process (scripts/benchmark-deployed.sh): samples every process's CPU
# (utime+stime) twice a second until TERM, grouped by command name, and prints each group's CPU seconds
# used meanwhile (a pid seen first while sampling counts from 0). Given a pid (and a label, default "app"),
# that process is counted under the label and any other JVM stays "java": a build or a publisher running
# meanwhile is not counted as the app; a second line then splits that process's CPU by what its threads do:
# the JIT compilers (HotSpot's "C1/C2 CompilerThread"s), the garbage collector ("GC Thread#", "G1 ...") and
# the rest (the pipeline, the broker clients, the pool), which says how much of a short drain is JIT warm-up.
import os, signal, sys, time
tick = os.sysconf('SC_CLK_TCK')
app = sys.argv[1] if len(sys.argv) > 1 else None
label = sys.argv[2] if len(sys.argv) > 2 else 'app'
first, last, names = {}, {}, {}
thread_first, thread_last = {}, {}
def kind(comm):
    if comm.startswith(('C1 CompilerThre', 'C2 CompilerThre')): return 'JIT ' + comm[:2]
    if comm.startswith(('GC Thread', 'G1 ')): return 'GC'
    return 'other'
def cpu(stat):
    fields = stat[stat.rindex(')')+2:].split()
    return (int(fields[11]) + int(fields[12])) / tick
def sample_threads():
    try: tids = os.listdir(f'/proc/{app}/task')
    except OSError: return
    for tid in tids:
        try:
            with open(f'/proc/{app}/task/{tid}/stat') as f: s = f.read()
        except OSError: continue
        t = cpu(s)
        if tid not in thread_first: thread_first[tid] = (kind(s[s.index('(')+1:s.rindex(')')]), 0.0 if started else t)
        thread_last[tid] = t
def sample():
    for pid in os.listdir('/proc'):
        if not pid.isdigit(): continue
        try:
            with open(f'/proc/{pid}/stat') as f: s = f.read()
        except OSError: continue
        name = s[s.index('(')+1:s.rindex(')')]
        t = cpu(s)
        if pid not in first: first[pid] = 0.0 if started else t
        last[pid] = t; names[pid] = label if pid == app else name
started = False
sample()
if app: sample_threads()
started = True
stop = False
def done(*a):
    global stop; stop = True
signal.signal(signal.SIGTERM, done); signal.signal(signal.SIGINT, done)
t0 = time.time()
while not stop:
    time.sleep(0.5); sample()
    if app: sample_threads()
groups = {}
for pid, t in last.items():
    groups[names[pid]] = groups.get(names[pid], 0) + t - first[pid]
el = time.time() - t0
print(f"cpu over {el:.1f} s:", ", ".join(f"{k} {v:.1f}" for k, v in sorted(groups.items(), key=lambda x: -x[1]) if v >= 0.2), flush=True)
if app and thread_last:
    kinds = {}
    for tid, t in thread_last.items():
        k, since = thread_first[tid]
        kinds[k] = kinds.get(k, 0) + t - since
    total = sum(kinds.values()) or 1
    order = ['other', 'JIT C2', 'JIT C1', 'GC']
    print(f"{label} by thread: " + ", ".join(
        f"{'pipeline and clients' if k == 'other' else k} {kinds.get(k, 0):.1f} s ({kinds.get(k, 0) / total * 100:.0f} %)" for k in order), flush=True)
