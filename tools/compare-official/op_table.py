"""Sums a libtorch operator profile (the Chrome trace that `varflow bench --profile FILE` writes) per
operator: self time (time not spent in operators it called), calls and share, largest first.

  python3 op_table.py TRACE.json [ROWS] [--shapes]

--shapes splits each operator by its input shapes (as `varflow bench` records them)."""
import collections, json, sys

args = [a for a in sys.argv[1:] if not a.startswith('--')]
by_shape = '--shapes' in sys.argv
rows = int(args[1]) if len(args) > 1 else 25
with open(args[0]) as f:
    trace = json.load(f)
events = [e for e in (trace['traceEvents'] if isinstance(trace, dict) else trace) if e.get('ph') == 'X']

# Nesting per thread: an event's self time is its duration less that of the events directly inside it.
by_thread = collections.defaultdict(list)
for e in events:
    by_thread[e.get('tid')].append(e)
self_us, calls = collections.Counter(), collections.Counter()
for thread_events in by_thread.values():
    thread_events.sort(key=lambda e: (e['ts'], -e['dur']))
    open_events, inner = [], collections.Counter()
    for e in thread_events:
        while open_events and open_events[-1]['ts'] + open_events[-1]['dur'] <= e['ts']:
            open_events.pop()
        if open_events:
            inner[id(open_events[-1])] += e['dur']
        open_events.append(e)
    for e in thread_events:
        key = (e['name'], str(e.get('shape')) if by_shape else '')
        self_us[key] += e['dur'] - inner[id(e)]
        calls[key] += 1

total = sum(self_us.values())
print(f"{'operator':48s} {'self ms':>10s} {'share':>6s} {'calls':>7s}  {'shapes' if by_shape else ''}")
for (name, shape), us in self_us.most_common(rows):
    print(f"{name:48s} {us / 1000:10.1f} {100 * us / total:5.1f}% {calls[(name, shape)]:7d}  {shape}")
print(f"{'all operators':48s} {total / 1000:10.1f}")
