#!/usr/bin/env python3
# The deployed benchmark's CPU by process (scripts/benchmark-deployed.sh): samples every process's CPU
# (utime+stime) twice a second until TERM, grouped by command name, and prints each group's CPU seconds
# used meanwhile (a pid seen first while sampling counts from 0). Given a pid (and a label, default "app"),
# that process is counted under the label and any other JVM stays "java": a build or a publisher running
# meanwhile is not counted as the app.
import os, signal, sys, time
tick = os.sysconf('SC_CLK_TCK')
app = sys.argv[1] if len(sys.argv) > 1 else None
label = sys.argv[2] if len(sys.argv) > 2 else 'app'
first, last, names = {}, {}, {}
def sample():
    for pid in os.listdir('/proc'):
        if not pid.isdigit(): continue
        try:
            with open(f'/proc/{pid}/stat') as f: s = f.read()
        except OSError: continue
        name = s[s.index('(')+1:s.rindex(')')]
        fields = s[s.rindex(')')+2:].split()
        t = (int(fields[11]) + int(fields[12])) / tick
        if pid not in first: first[pid] = 0.0 if started else t
        last[pid] = t; names[pid] = label if pid == app else name
started = False
sample(); started = True
stop = False
def done(*a):
    global stop; stop = True
signal.signal(signal.SIGTERM, done); signal.signal(signal.SIGINT, done)
t0 = time.time()
while not stop:
    time.sleep(0.5); sample()
groups = {}
for pid, t in last.items():
    groups[names[pid]] = groups.get(names[pid], 0) + t - first[pid]
el = time.time() - t0
print(f"cpu over {el:.1f} s:", ", ".join(f"{k} {v:.1f}" for k, v in sorted(groups.items(), key=lambda x: -x[1]) if v >= 0.2), flush=True)
