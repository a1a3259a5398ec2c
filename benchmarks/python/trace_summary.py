"""Operator self times of two Chrome traces side by side (DJL's profiler and torch.profiler).

    python3 benchmarks/python/trace_summary.py pytorch-trace.json python-trace.json [--top 30]

Each complete event ("ph": "X") is an operator call; its self time is its duration less that of
the calls nested in it on the same thread. Per operator name: total self milliseconds and calls in
each trace, then the total of all operators and the traced wall span, whose difference is time
spent outside libtorch's operators (the host language, the JNI boundary, allocation of handles).
"""
import json
import sys
from collections import defaultdict


def summary(path):
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e and e.get("cat", "cpu_op") in ("cpu_op", "Operator", "operator"):
            by_thread[e.get("tid")].append(e)
    self_us = defaultdict(float)
    calls = defaultdict(int)
    start, end = float("inf"), 0.0
    for evs in by_thread.values():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []
        for e in evs:
            ts, dur = float(e["ts"]), float(e["dur"])
            start, end = min(start, ts), max(end, ts + dur)
            while stack and ts >= stack[-1][0] + stack[-1][1]:
                stack.pop()
            if stack:
                self_us[stack[-1][2]] -= dur
            self_us[e["name"]] += dur
            calls[e["name"]] += 1
            stack.append((ts, dur, e["name"]))
    return self_us, calls, (end - start) if end > start else 0.0


def main():
    args = sys.argv[1:]
    top = 30
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    a, b = summary(args[0]), summary(args[1])
    names = sorted(set(a[0]) | set(b[0]), key=lambda n: -max(a[0].get(n, 0), b[0].get(n, 0)))
    print("%-44s %12s %7s %12s %7s" % ("operator (self time)", "A ms", "calls", "B ms", "calls"))
    for n in names[:top]:
        print("%-44s %12.1f %7d %12.1f %7d" % (n[:44], a[0].get(n, 0) / 1e3, a[1].get(n, 0),
                                               b[0].get(n, 0) / 1e3, b[1].get(n, 0)))
    for label, i in (("all operators", 0),):
        print("%-44s %12.1f %7d %12.1f %7d" % (label, sum(a[0].values()) / 1e3, sum(a[1].values()),
                                               sum(b[0].values()) / 1e3, sum(b[1].values())))
    print("%-44s %12.1f %7s %12.1f" % ("traced span", a[2] / 1e3, "", b[2] / 1e3))
    print("A = %s, B = %s" % (args[0], args[1]))


if __name__ == "__main__":
    main()
