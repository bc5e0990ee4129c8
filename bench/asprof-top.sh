#!/usr/bin/env bash
# Where the CPU goes in an async-profiler recording from bench/e2e.sh --asprof (collapsed stacks, one
# thread per stack root): bench/asprof-top.sh FILE [N] [THREAD-NAME-PART] [FOCUS-FRAME]
# Prints CPU by thread (digits folded), then for the threads matching THREAD-NAME-PART the top frames
# by self time and by total time; with FOCUS-FRAME (e.g. TraceCorrelator.emit), what that frame's time
# is spent in. Unlike JFR's execution samples, native (RocksDB, snappy) and kernel time are included.
set -euo pipefail
FILE=$1; N=${2:-30}; THREAD=${3:-}; FOCUS=${4:-}
exec python3 - "$FILE" "$N" "$THREAD" "$FOCUS" <<'PY'
import re, sys
from collections import Counter
path, n, thread_part, focus = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
by_thread, self_t, total_t, callees, beneath = Counter(), Counter(), Counter(), Counter(), Counter()
samples = focus_samples = 0
def short(frame):
    frame = re.sub(r'_\[[jik0-9]\]$', '', frame)          # async-profiler's frame-type suffixes
    return re.sub(r'\$\$Lambda\$?[^.;]*', '$$Lambda', frame)
for line in open(path):
    stack, _, count = line.rstrip('\n').rpartition(' ')
    if not stack: continue
    count = int(count)
    frames = stack.split(';')
    thread = re.sub(r'\d+', 'N', frames[0].strip('[]'))
    by_thread[thread] += count
    if thread_part not in frames[0]: continue
    samples += count
    frames = [short(f) for f in frames[1:]] or ['(no frames)']
    self_t[frames[-1]] += count
    for f in set(frames): total_t[f] += count
    if focus:
        at = next((i for i, f in enumerate(frames) if f.endswith(focus)), -1)
        if at >= 0:
            focus_samples += count
            callees[frames[at + 1] if at + 1 < len(frames) else '(self)'] += count
            for f in set(frames[at + 1:]): beneath[f] += count
def show(title, counter, base):
    print(f'\n## {title}')
    for k, v in counter.most_common(n): print(f'{100.0 * v / max(1, base):6.2f} %  {k}')
allsamples = sum(by_thread.values())
show(f'CPU by thread ({allsamples:,} samples)', by_thread, allsamples)
print(f'\n{samples:,} samples in threads matching "{thread_part}"')
show('self (top frame)', self_t, samples)
show('total (anywhere on the stack)', total_t, samples)
if focus:
    print(f'\n{focus_samples:,} samples ({100.0 * focus_samples / max(1, samples):.1f}%) have {focus} on the stack')
    show('its direct callees', callees, focus_samples)
    show('everything beneath it', beneath, focus_samples)
PY
