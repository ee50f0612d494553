"""An e-mail to deliver, and what counts as an address."""

from dataclasses import dataclass

# One plain ASCII address: a local part, then a domain of dot-separated labels. No display name,
# no list (`a@b.com,bob`), no angle brackets, no quoting, no non-ASCII domain (write it in its
# xn-- form): an address the API accepts reaches exactly one mailbox.
ADDRESS_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


@dataclass(frozen=True)
class OutgoingEmail:
    sender: str
    to: str
    subject: str
    body: str
