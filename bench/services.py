"""Stand-ins for what runs around the app, each a process to start, kill and start again,
for `make faults` and `make loadtest`:

    python bench/services.py smtp-sink --port P --record FILE   # accepts and records mail
    python bench/services.py smtp-hang --port P                 # accepts, never answers
    python bench/services.py proxy --port P --to 127.0.0.1:5432 # TCP, to cut a database off

The sink appends one JSON line per message and recipient to FILE: when it arrived, the
recipient, and the comment the email is about (the first `/comments/<id>/` in its text).
Killing the proxy closes every connection through it, as a restarting database does;
killing the sink leaves a port that refuses connections. Only 127.0.0.1 is used.
"""

import argparse
import asyncio
import json
import re
import signal
import socket
import threading
import time
from email import message_from_bytes, policy

COMMENT_LINK = re.compile(r"/comments/(\d+)/")
# However it was left behind, a stand-in stops by itself after this long.
LIFETIME_SECONDS = 2 * 3600


class Sink:
    def __init__(self, record: str):
        self.record = open(record, "a", buffering=1)  # noqa: SIM115 (open for the process's life)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        found = COMMENT_LINK.search(body.get_content() if body else "")
        for recipient in envelope.rcpt_tos:
            line = {
                "at": time.time(),
                "to": recipient,
                "comment": int(found.group(1)) if found else None,
                "subject": str(message["Subject"]),
            }
            self.record.write(json.dumps(line) + "\n")
        return "250 OK"


def smtp_sink(port: int, record: str) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Sink(record), hostname="127.0.0.1", port=port)
    controller.start()
    wait_for_termination()
    controller.stop()


def smtp_hang(port: int) -> None:
    listener = socket.create_server(("127.0.0.1", port))
    held = []

    def accept() -> None:
        for _ in range(100_000):
            connection, _ = listener.accept()
            held.append(connection)  # kept open, never written to

    threading.Thread(target=accept, daemon=True).start()
    wait_for_termination()


def proxy(port: int, target: str) -> None:
    host, _, target_port = target.rpartition(":")

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, int(target_port))
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, reuse_address=True)
        async with server:
            await asyncio.wait_for(server.serve_forever(), LIFETIME_SECONDS)

    try:
        asyncio.run(serve())
    except TimeoutError:
        pass


def wait_for_termination() -> None:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *args: stopped.set())
    signal.signal(signal.SIGINT, lambda *args: stopped.set())
    for _ in range(LIFETIME_SECONDS):
        if stopped.wait(1):
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=["smtp-sink", "smtp-hang", "proxy"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", help="smtp-sink: the file to append messages to")
    parser.add_argument("--to", help="proxy: HOST:PORT to forward to")
    args = parser.parse_args()
    if args.service == "smtp-sink":
        smtp_sink(args.port, args.record)
    elif args.service == "smtp-hang":
        smtp_hang(args.port)
    else:
        proxy(args.port, args.to)


if __name__ == "__main__":
    main()
