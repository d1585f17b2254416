"""In-process bus: per-destination subjects, durable catch-up, de-duplication, push delivery."""

from launchwatch.share.bus import InProcBus, inbox


def test_durable_subscription_catches_up_after_a_restart():
    bus = InProcBus()
    sub = bus.subscribe(inbox("JPN"), durable="JPN-MOD")
    for i in range(5):
        bus.publish(inbox("JPN"), b"m%d" % i)
    bus.publish(inbox("USA"), b"not for JPN")
    assert sub.fetch(max_msgs=3) == [b"m0", b"m1", b"m2"]
    sub.ack()
    assert sub.fetch(max_msgs=1) == [b"m3"]  # fetched, never acknowledged: "crash" now
    sub.close()
    bus.publish(inbox("JPN"), b"m5")  # sent while the node is down
    again = bus.subscribe(inbox("JPN"), durable="JPN-MOD")
    assert again.fetch() == [b"m3", b"m4", b"m5"]
    other = bus.subscribe(inbox("JPN"), durable="someone-else")
    assert len(other.fetch()) == 6


def test_duplicate_publish_is_dropped_by_msg_id():
    bus = InProcBus()
    sub = bus.subscribe(inbox("KOR"), durable="k")
    bus.publish(inbox("KOR"), b"a", msg_id="X/1>KOR")
    bus.publish(inbox("KOR"), b"a", msg_id="X/1>KOR")
    assert sub.fetch() == [b"a"] and bus.published == 1


def test_push_delivery_is_synchronous():
    bus = InProcBus()
    bus.publish(inbox("KOR"), b"early")
    got = []
    bus.subscribe(inbox("KOR"), durable="k", callback=got.append)
    assert got == [b"early"]
    bus.publish(inbox("KOR"), b"now")
    assert got == [b"early", b"now"]


def test_fetch_waits_for_a_message_up_to_the_timeout():
    import threading
    import time

    bus = InProcBus()
    sub = bus.subscribe(inbox("KOR"), durable="k")
    t0 = time.perf_counter()
    assert sub.fetch(timeout_s=0.05) == []
    assert time.perf_counter() - t0 >= 0.04
    threading.Timer(0.05, bus.publish, (inbox("KOR"), b"x")).start()
    assert sub.fetch(timeout_s=5.0) == [b"x"]
