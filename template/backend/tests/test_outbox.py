from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from internal.adapters.mail.file_outbox import FileOutbox
from internal.entities.email import OutgoingEmail

EMAIL = OutgoingEmail(sender="app@example.com", to="ada@example.com", subject="Hi", body="Hello")


def test_delivery_writes_a_readable_email(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    assert outbox.deliver(EMAIL, idempotency_key="job-1") is True
    [path] = outbox.messages()
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "ada@example.com"
    assert parsed["Subject"] == "Hi"
    assert parsed["X-Idempotency-Key"] == "job-1"
    assert parsed.get_content().strip() == "Hello"


def test_the_same_key_is_delivered_once(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    assert outbox.deliver(EMAIL, idempotency_key="job-1") is True
    assert outbox.deliver(EMAIL, idempotency_key="job-1") is False
    assert len(outbox.messages()) == 1


def test_concurrent_deliveries_of_one_key_write_one_file(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: outbox.deliver(EMAIL, idempotency_key="k"), range(32)))
    assert results.count(True) == 1
    assert len(outbox.messages()) == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_keys_that_sanitise_alike_stay_apart(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    assert outbox.path_for("a/b") != outbox.path_for("a:b")
