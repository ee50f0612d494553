"""An e-mail to deliver, and what counts as an address."""

from dataclasses import dataclass

# What counts as an e-mail address, for the API's requests and for any check a worker repeats.
ADDRESS_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass(frozen=True)
class OutgoingEmail:
    sender: str
    to: str
    subject: str
    body: str
