"""Transport of frames between partner nodes: an abstract :class:`Bus` and two implementations.

Every partner has one inbox subject, :func:`inbox` (``launchwatch.share.<partner id>``); a
sender publishes a frame once per destination partner, on that partner's subject only.  A node
reads its inbox through a *durable* subscription: a named cursor kept by the bus, moved on by
:meth:`Subscription.ack`.  Whatever was published but not acknowledged (sent while the node was
down, or fetched but not acknowledged before a crash) is delivered again to the next
subscription with the same durable name, so a restarted node catches up without loss.  Delivery
is at least once: receivers de-duplicate by sequence number (:mod:`.receive`).

- :class:`InProcBus`: one process, the embedded default; a per-subject log in memory with one
  cursor per durable name.  Pull (``fetch``) or synchronous push (``callback`` at subscribe).
- :class:`NatsBus`: NATS JetStream (``nats-py``; server ``nats-server -js``): one file-backed
  stream over ``launchwatch.share.>``, a durable push consumer per node, explicit acks, and the
  ``Nats-Msg-Id`` header so that the stream drops a duplicate publish.  The asyncio client runs
  on a private event loop thread behind a plain synchronous interface.  When the broker goes
  away (restart, network) the client reconnects with growing pauses (0.25 s doubling to 4 s)
  for up to ``outage_s``: publishes that failed meanwhile are sent again under the same
  ``Nats-Msg-Id`` (the stream keeps one), acknowledgements that failed are left to redelivery
  (the receiver drops what it already took), and the durable consumer resumes where it was.
  Only an outage longer than ``outage_s`` is a :class:`BusError`.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

SUBJECT_PREFIX = "launchwatch.share"


def inbox(partner: str) -> str:
    """The subject of a partner's inbox."""
    return f"{SUBJECT_PREFIX}.{partner}"


class BusError(RuntimeError):
    """The transport failed (cannot connect, broker gone); the message says how."""


class Subscription(ABC):
    @abstractmethod
    def fetch(self, max_msgs: int = 256, timeout_s: float = 0.0) -> list[bytes]:
        """Up to ``max_msgs`` frames, waiting at most ``timeout_s`` for the first one."""

    @abstractmethod
    def ack(self) -> None:
        """Acknowledge every frame fetched so far (they will not be delivered again)."""

    def close(self) -> None:
        """Stop the subscription; what was not acknowledged stays for the durable name."""
        return None


class Bus(ABC):
    @abstractmethod
    def publish(self, subject: str, data: bytes, *, msg_id: str | None = None) -> None:
        """Publish one frame on ``subject``; ``msg_id`` lets the broker drop a duplicate."""

    @abstractmethod
    def subscribe(
        self, subject: str, durable: str, *, callback: Callable[[bytes], None] | None = None
    ) -> Subscription:
        """A durable subscription on ``subject`` named ``durable``."""

    def flush(self) -> None:
        """Wait until everything published has reached the broker."""
        return None

    def close(self) -> None:
        """Release the connection."""
        return None


# --- in-process ------------------------------------------------------------------------------
class _InProcSub(Subscription):
    def __init__(self, bus: InProcBus, subject: str, durable: str, callback):
        self.bus, self.subject, self.durable, self.callback = bus, subject, durable, callback
        self._next = bus._acked.get((subject, durable), 0)
        self.closed = False

    def fetch(self, max_msgs: int = 256, timeout_s: float = 0.0) -> list[bytes]:
        with self.bus._cond:
            log = self.bus._logs.setdefault(self.subject, [])
            if self._next >= len(log) and timeout_s > 0:
                self.bus._cond.wait_for(lambda: self._next < len(log), timeout=timeout_s)
            out = log[self._next : self._next + max_msgs]
            self._next += len(out)
        return out

    def ack(self) -> None:
        with self.bus._cond:
            self.bus._acked[(self.subject, self.durable)] = self._next

    def close(self) -> None:
        self.closed = True
        with self.bus._cond:
            subs = self.bus._push.get(self.subject, [])
            if self in subs:
                subs.remove(self)


class InProcBus(Bus):
    """The in-process bus (see module docstring).  Messages are kept for the bus's lifetime."""

    def __init__(self):
        self._logs: dict[str, list[bytes]] = {}
        self._acked: dict[tuple[str, str], int] = {}
        self._push: dict[str, list[_InProcSub]] = {}
        self._ids: set[str] = set()
        self._cond = threading.Condition()
        self.published = 0

    def publish(self, subject: str, data: bytes, *, msg_id: str | None = None) -> None:
        with self._cond:
            if msg_id is not None:
                if msg_id in self._ids:
                    return
                self._ids.add(msg_id)
            self._logs.setdefault(subject, []).append(bytes(data))
            self.published += 1
            self._cond.notify_all()
            push = list(self._push.get(subject, ()))
        for sub in push:  # synchronous delivery, outside the lock
            for frame in sub.fetch():
                sub.callback(frame)
            sub.ack()

    def subscribe(self, subject: str, durable: str, *, callback=None) -> Subscription:
        sub = _InProcSub(self, subject, durable, callback)
        if callback is not None:
            with self._cond:
                self._push.setdefault(subject, []).append(sub)
            for frame in sub.fetch(max_msgs=1 << 30):  # catch up first
                callback(frame)
            sub.ack()
        return sub


# --- NATS JetStream --------------------------------------------------------------------------
class _NatsSub(Subscription):
    """A durable push consumer: the client's event loop puts deliveries on a thread-safe
    queue, :meth:`fetch` takes them from it (no broker round trip per fetch)."""

    def __init__(self, bus: NatsBus):
        self.bus = bus
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.sub = None
        self._unacked: list = []

    async def on_msg(self, msg) -> None:
        self.queue.put(msg)

    def fetch(self, max_msgs: int = 256, timeout_s: float = 0.0) -> list[bytes]:
        msgs = []
        try:
            msgs.append(
                self.queue.get(timeout=timeout_s) if timeout_s > 0 else self.queue.get_nowait()
            )
            while len(msgs) < max_msgs:
                msgs.append(self.queue.get_nowait())
        except queue.Empty:
            pass
        self._unacked.extend(msgs)
        return [m.data for m in msgs]

    def ack(self) -> None:
        """Acknowledge what was fetched; during an outage the failed acks are dropped (the
        broker redelivers those frames and the receiver refuses them as replays)."""
        msgs, self._unacked = self._unacked, []
        if msgs:

            async def go():
                failed = 0
                for m in msgs:
                    try:
                        await m.ack()
                    except Exception:  # noqa: BLE001 -- disconnected: redelivered later
                        failed += 1
                try:
                    await self.bus._nc.flush(timeout=5)
                except Exception:  # noqa: BLE001
                    failed = len(msgs)
                return failed

            try:
                self.bus.lost_acks += self.bus._run(go(), 30.0)
            except Exception:  # noqa: BLE001 -- the loop timed out: the same, redelivery
                self.bus.lost_acks += len(msgs)

    def close(self) -> None:
        async def go():
            await self.sub.unsubscribe()

        try:
            self.bus._run(go(), 5.0)
        except Exception:  # noqa: BLE001 -- closing a dead subscription is not an error
            pass


class NatsBus(Bus):
    """NATS JetStream transport (see module docstring).  Publishing is pipelined: at most
    :attr:`MAX_INFLIGHT` unacknowledged publishes, all awaited by :meth:`flush`.

    ``url``: e.g. ``nats://127.0.0.1:4222``; ``stream``: the JetStream stream name;
    ``ack_wait_s``: how long a fetched, unacknowledged frame waits before redelivery.
    """

    MAX_INFLIGHT = 512

    def __init__(
        self,
        url: str,
        *,
        stream: str = "LAUNCHWATCH_SHARE",
        ack_wait_s: float = 5.0,
        connect_timeout_s: float = 5.0,
        outage_s: float = 300.0,
    ):
        self.url, self.stream, self.ack_wait_s = url, stream, float(ack_wait_s)
        self.outage_s = float(outage_s)
        #: counts of the outages ridden out: reconnections, publishes sent again, lost acks
        self.reconnects = self.republished = self.lost_acks = 0
        self._inflight: list = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="launchwatch-nats"
        )
        self._thread.start()
        try:
            self._run(self._connect(connect_timeout_s), connect_timeout_s + 10.0)
        except Exception as exc:
            self._stop()
            raise BusError(
                f"cannot connect to NATS at {url}: {exc or type(exc).__name__}"
            ) from None

    def _run(self, coro, timeout_s: float):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)

    async def _connect(self, timeout_s: float) -> None:
        import nats
        from nats.js.api import StorageType, StreamConfig
        from nats.js.errors import BadRequestError

        async def reconnected():
            self.reconnects += 1

        # a broker that is not there at start is an error at once (a few quick tries) ...
        self._nc = await nats.connect(
            self.url,
            connect_timeout=timeout_s,
            allow_reconnect=True,
            max_reconnect_attempts=2,
            reconnect_time_wait=0.5,
            reconnected_cb=reconnected,
            pending_size=64 << 20,
        )
        # ... one that goes away later is waited for (the outage limit is outage_s)
        self._nc.options["max_reconnect_attempts"] = -1
        self._js = self._nc.jetstream()
        cfg = StreamConfig(
            name=self.stream,
            subjects=[f"{SUBJECT_PREFIX}.>"],
            storage=StorageType.FILE,
            duplicate_window=120.0,
        )
        try:
            await self._js.add_stream(cfg)
        except BadRequestError:  # exists with another config: keep it
            pass

    def publish(self, subject: str, data: bytes, *, msg_id: str | None = None) -> None:
        """Publish without waiting for the stream's acknowledgement (pipelined); :meth:`flush`
        waits for all of them and raises :class:`BusError` if one failed."""
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        if len(self._inflight) >= self.MAX_INFLIGHT:
            self.flush()
        self._inflight.append(
            (self._submit(subject, bytes(data), headers), subject, bytes(data), headers)
        )

    def _submit(self, subject: str, data: bytes, headers):
        return asyncio.run_coroutine_threadsafe(
            self._js.publish(subject, data, headers=headers, timeout=5.0), self._loop
        )

    def subscribe(self, subject: str, durable: str, *, callback=None) -> Subscription:
        if callback is not None:
            raise NotImplementedError("NatsBus delivers by fetch only")
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        sub = _NatsSub(self)

        async def go():
            cfg = ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.ack_wait_s,
                max_ack_pending=-1,
            )
            sub.sub = await self._js.subscribe(
                subject,
                durable=durable,
                stream=self.stream,
                cb=sub.on_msg,
                manual_ack=True,
                config=cfg,
            )

        self._run(go(), 30.0)
        return sub

    def flush(self) -> None:
        """Wait until the stream has every publish; those that failed (the broker away) are
        sent again, with pauses growing to 4 s, for up to ``outage_s``."""
        inflight, self._inflight = self._inflight, []
        deadline = time.monotonic() + self.outage_s
        pause = 0.25
        while inflight:
            failed, last = [], None
            for fut, subject, data, headers in inflight:
                try:
                    fut.result(30.0)
                except Exception as exc:  # noqa: BLE001 -- timed out, disconnected, ...
                    failed.append((subject, data, headers))
                    last = exc
            if not failed:
                return
            if time.monotonic() + pause > deadline:
                raise BusError(
                    f"NATS publish failed for {self.outage_s:.0f} s: {last or type(last).__name__}"
                ) from None
            time.sleep(pause)
            pause = min(2 * pause, 4.0)
            self.republished += len(failed)
            inflight = [(self._submit(*f), *f) for f in failed]

    def close(self) -> None:
        try:
            self.flush()
        except BusError:
            pass
        try:
            self._run(self._nc.close(), 10.0)
        except Exception:  # noqa: BLE001 -- the broker may already be gone
            pass
        self._stop()

    def _stop(self) -> None:
        async def cancel_rest():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self._run(cancel_rest(), 5.0)
        except Exception:  # noqa: BLE001
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5.0)
        if not self._thread.is_alive():
            self._loop.close()
