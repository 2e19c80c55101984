#!/usr/bin/env python3
"""threads.py CMD... : run CMD (its stdout to /dev/null) and print one line,
"wall_s main_cpu_s other_cpu_s", where main is the CPU time of CMD's first
thread and other that of all its other threads.

synfin reads, decodes and hashes a file on a second thread and tracks and
reports on its first one, so the two columns say which half of the work sets
the wall time. The whole process's CPU time comes from wait4(2) when CMD
exits; the other threads' from /proc/PID/task/TID/schedstat, polled every
20 ms while they run (a thread's figure is lost when it exits, so the last
poll stands: at most 20 ms short). main is the difference of the two (so
as much over). Polling more often costs CPU that the two threads share.
"""
import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: threads.py CMD...\n")
        return 2
    t0 = time.monotonic()
    child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    pid = child.pid
    others = {}
    status = None
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done == pid:
            break
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                if tid == str(pid):
                    continue
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                        others[tid] = int(f.read().split()[0]) / 1e9
                except (OSError, ValueError, IndexError):
                    pass
        except OSError:
            pass
        time.sleep(0.02)
    wall = time.monotonic() - t0
    child.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    total = usage.ru_utime + usage.ru_stime
    other = sum(others.values())
    print(f"{wall:.3f} {max(total - other, 0.0):.3f} {other:.3f}")
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
