"""The SMTP backend the portal sends with (``EMAIL_URL=smtp://…``): Django's own, plus two
things it lacks.

- **Each recipient's answer.** ``smtplib`` raises only when the server refuses *every*
  recipient; a 550 for one address among others is returned, and Django drops it. Here
  it is kept on the message as ``refused_recipients`` ({address: (code, answer)}), so
  the ledger can record it and the address can be sent again alone.
- **A bound on the whole conversation.** ``EMAIL_TIMEOUT`` bounds each read, so a relay
  that trickles a line every few seconds could hold a worker for minutes. After
  ``EMAIL_CONVERSATION_SECONDS`` the socket is shut down and the send fails with
  ``ConversationTimeout``: a transient failure, retried later like a 4xx.
"""

import functools
import smtplib
import socket
import threading

from django.conf import settings
from django.core.mail.backends import smtp


class ConversationTimeout(smtplib.SMTPException):
    """The relay did not finish one conversation within EMAIL_CONVERSATION_SECONDS."""


class _Conversation:
    """A watch over one SMTP connection: shuts its socket down when time is up."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False
        self._timer = None

    def watch(self, sock):
        self._timer = threading.Timer(self.seconds, self._expire, args=(sock,))
        self._timer.daemon = True
        self._timer.start()

    def _expire(self, sock):
        self.expired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: the conversation ended as the timer fired

    def end(self):
        if self._timer is not None:
            self._timer.cancel()


class _RecordingSMTPMixin:
    def __init__(self, *args, conversation, **kwargs):
        self.conversation = conversation
        self.refused = {}
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, timeout)
        self.conversation.watch(sock)
        return sock

    def sendmail(self, *args, **kwargs):
        self.refused = {}
        self.refused = super().sendmail(*args, **kwargs)
        return self.refused


class RecordingSMTP(_RecordingSMTPMixin, smtplib.SMTP):
    pass


class RecordingSMTPSSL(_RecordingSMTPMixin, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    _conversation = None

    @property
    def connection_class(self):
        if self._conversation is None:  # opened directly, outside send_messages()
            self._conversation = _Conversation(settings.EMAIL_CONVERSATION_SECONDS)
        cls = RecordingSMTPSSL if self.use_ssl else RecordingSMTP
        return functools.partial(cls, conversation=self._conversation)

    def send_messages(self, email_messages):
        self._conversation = _Conversation(settings.EMAIL_CONVERSATION_SECONDS)
        try:
            return super().send_messages(email_messages)
        except (smtplib.SMTPException, OSError) as exc:
            if self._conversation.expired:
                raise ConversationTimeout(
                    f"the SMTP conversation took longer than {settings.EMAIL_CONVERSATION_SECONDS} s"
                ) from exc
            raise
        finally:
            self._conversation.end()

    def _send(self, email_message):
        sent = super()._send(email_message)
        email_message.refused_recipients = dict(self.connection.refused) if sent else {}
        return sent
