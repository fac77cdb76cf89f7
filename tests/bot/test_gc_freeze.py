"""The long-lived heap stays out of Python's full collections (a 50-220 ms pause with the
event loop stopped, see docs/performance.md): the bot freezes what its start built, the
standalone emulator what it has held for a while. Each runs in a process of its own, so this
test process's collector is left as it is."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bench.procs import ROOT


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_start_up_heap_is_frozen_and_new_garbage_is_still_collected():
    out = run_python(
        """
        import gc
        from bot.transport.live import freeze_startup_objects
        import telegram.ext, content.render, dialogues.engine  # what a start imports
        watched = len(gc.get_objects())
        freeze_startup_objects()
        print(watched, len(gc.get_objects()), gc.get_freeze_count())

        class Node: pass
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle made after the start
        del a, b
        print(gc.collect())
        """
    )
    (watched, still_watched, frozen), (collected,) = (
        [int(n) for n in line.split()] for line in out.splitlines()
    )
    assert frozen > 10_000 and still_watched < watched // 20, out
    assert collected >= 2, "a cycle made after the freeze is still reclaimed"


def test_the_emulator_freezes_what_it_holds_every_interval():
    out = run_python(
        """
        import asyncio, gc
        from sandbox.emulator.server import _freeze_every

        async def main():
            task = asyncio.create_task(_freeze_every(0.05))
            await asyncio.sleep(0.02)
            before = gc.get_freeze_count()
            kept = [[n] for n in range(5_000)]  # what the emulator keeps: calls, messages
            await asyncio.sleep(0.1)
            task.cancel()
            print(before, gc.get_freeze_count())

        asyncio.run(main())
        """
    )
    before, after = (int(n) for n in out.split())
    assert before == 0 and after >= 5_000, out
