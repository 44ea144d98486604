"""Where training runs execute: in this process, in a pool of local worker processes, or as Ray tasks.

The benchmark and the tuner hand their runs to an :class:`Executor` and read the results as they finish, so the run
code is the same whichever executes it. Every run is a top-level function of one picklable argument that writes
into its own run directory; a run whose process dies part-way continues from that directory's latest checkpoint
when it is started again.

Ray runs every run as a *core task* with one CPU and ``max_retries``: when the worker process running it dies (killed,
out of memory, its machine lost) Ray starts the task again, and the run resumes from its checkpoint. Ray's
``ray.util.multiprocessing.Pool`` would look closer to the local pool, but it does not retry a task whose worker died,
and Ray Tune would take over the run directories, checkpoints and trial scheduling that this package already has.

Example:
    >>> with LocalExecutor(workers=1) as executor:
    ...     sorted(imap_unordered(executor, abs, [-2, 1, -3]))
    [1, 2, 3]
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import TracebackType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
RAY_RETRIES = 3  # a run is started again up to 3 times when its worker dies
RAY_OBJECT_STORE = 100 * 1024**2  # a local cluster passes only small configs and results: keep its shared memory small


class Executor(Protocol):
    """Runs ``fn(arg)`` calls somewhere, ``slots`` at a time; results come back in the order they finish."""

    slots: int
    """How many calls run at once; the caller keeps that many submitted."""

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> None:
        """Start ``fn(arg)`` (or queue it)."""

    def next_result(self) -> Any:
        """Wait for one submitted call to finish and return its result (raises the call's exception)."""

    def close(self) -> None:
        """Stop every worker; calls still running are stopped (SIGTERM: a training run saves a checkpoint)."""


def imap_unordered(executor: Executor, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """``fn`` over ``items`` on ``executor``, results as they finish; ``items`` is read lazily, one item each time a
    call finishes, so a tuner can choose the next trial after seeing the last result."""
    todo = iter(items)
    pending = 0
    for item in islice(todo, executor.slots):
        executor.submit(fn, item)
        pending += 1
    while pending:
        result = executor.next_result()
        pending -= 1
        yield result
        for item in islice(todo, 1):
            executor.submit(fn, item)
            pending += 1


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent, which terminates them (SIGTERM): a training run then saves a checkpoint
    to continue from, an idle worker just exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class LocalExecutor:
    """``workers`` processes on this machine (one new process per run); with one worker, runs in this process.

    Workers are forked from this process by default: it ran no torch op (so no thread pool to inherit) and each
    worker skips re-importing torch and SB3, which takes seconds. A parent that holds open connections or threads
    (the tuner's database) passes ``fork=False``: workers then fork from a clean server process that imported
    ``preload`` once.
    """

    def __init__(self, workers: int = 1, fork: bool = True, preload: tuple[str, ...] = ()) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.slots = workers
        self._inline: list[tuple[Callable[[Any], Any], Any]] = []
        self._done: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self._pool = None
        if workers > 1:
            methods = mp.get_all_start_methods()
            method = "fork" if fork and "fork" in methods else "forkserver" if "forkserver" in methods else "spawn"
            context = mp.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(list(preload))
            self._pool = context.Pool(workers, initializer=_worker_signals, maxtasksperchild=1)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> None:
        if self._pool is None:
            self._inline.append((fn, arg))
            return
        self._pool.apply_async(
            fn, (arg,), callback=lambda value: self._done.put((True, value)), error_callback=self._failed
        )

    def _failed(self, error: BaseException) -> None:
        self._done.put((False, error))

    def next_result(self) -> Any:
        if self._pool is None:
            fn, arg = self._inline.pop(0)
            return fn(arg)
        while True:
            try:  # a timeout keeps the main thread responsive to Ctrl-C
                ok, value = self._done.get(timeout=0.2)
                break
            except queue.Empty:
                continue
        if not ok:
            raise value
        return value

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _call(fn: Callable[[Any], Any], arg: Any) -> Any:
    """The body of every Ray task: one thread for torch, as in the local workers."""
    import torch

    torch.set_num_threads(1)
    return fn(arg)


class RayExecutor:
    """Every run a Ray task with one CPU, retried up to ``retries`` times when its worker dies.

    ``address=None`` starts a local cluster of ``workers`` CPUs (default: all cores) that stops with the executor;
    an address (``"auto"``, ``"ray://host:10001"``, ``"host:6379"``) joins a running cluster, whose CPUs all take
    runs. Each node needs this package installed and, for the run directories, the same shared folder.
    """

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = RAY_RETRIES) -> None:
        try:
            import ray
        except ImportError as error:
            raise ImportError("--ray needs Ray: pip install 'recurrent-agents[cluster]'") from error
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started and address:
            ray.init(address=address, log_to_driver=True)
        elif self._started:
            cpus = workers or os.cpu_count() or 1
            # "local" always starts a new cluster; without it Ray would join any cluster running on this machine.
            ray.init(address="local", num_cpus=cpus, include_dashboard=False, object_store_memory=RAY_OBJECT_STORE)
        self.slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(num_cpus=1, max_retries=retries)(_call)
        self._pending: list[Any] = []

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> None:
        self._pending.append(self._task.remote(fn, arg))

    def next_result(self) -> Any:
        ray = self._ray
        done: list[Any] = []
        while not done:  # a timeout keeps the main thread responsive to Ctrl-C
            done, _ = ray.wait(self._pending, num_returns=1, timeout=0.5)
        self._pending.remove(done[0])
        try:
            return ray.get(done[0])
        except ray.exceptions.RayTaskError as error:
            raise error.as_instanceof_cause() from None

    def close(self) -> None:
        for ref in self._pending:
            self._ray.cancel(ref)  # SIGINT to a running task: the run saves a checkpoint and stops
        self._pending = []
        if self._started:
            self._ray.shutdown()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def make_executor(
    workers: int,
    ray_address: str | None = None,
    use_ray: bool = False,
    fork: bool = True,
    preload: tuple[str, ...] = (),
) -> LocalExecutor | RayExecutor:
    """A Ray executor when ``use_ray`` (``ray_address`` None: a local cluster of ``workers`` CPUs), else local
    processes (see ``LocalExecutor`` for ``fork`` and ``preload``)."""
    if use_ray:
        return RayExecutor(ray_address, workers)
    return LocalExecutor(workers, fork, preload)


def add_ray_flag(parser: Any) -> None:
    """``--ray [ADDRESS]`` on a script's parser: ``args.ray`` is None (local processes), "" (a local Ray cluster) or
    the address of a running one."""
    parser.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="run every training run as a Ray task: a new local cluster of --workers CPUs, or join the cluster at "
        "ADDRESS (e.g. auto, or head-node:6379); needs pip install 'recurrent-agents[cluster]'",
    )
