"""A TCP proxy that drops connections in the middle of an answer.

Usage: drop_proxy.py LISTEN_PORT UPSTREAM_PORT LIMIT DROPS

Relays every connection to 127.0.0.1:UPSTREAM_PORT. The first DROPS
connections (`all`: every one) whose answer grows past LIMIT bytes are cut
there, both ways, as a server or network failing mid-read would.
"""

import socket
import sys
import threading

lock = threading.Lock()


def pump(src, dst, limit, state):
    sent = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if limit is not None and sent + len(data) > limit:
                with lock:
                    cut = state["drops"] == "all" or state["drops"] > 0
                    if cut and state["drops"] != "all":
                        state["drops"] -= 1
                if cut:
                    dst.sendall(data[: max(0, limit - sent)])
                    break
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def main(listen, upstream, limit, drops):
    state = {"drops": drops if drops == "all" else int(drops)}
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(listen)))
    server.listen(64)
    while True:
        client, _ = server.accept()
        up = socket.create_connection(("127.0.0.1", int(upstream)))
        threading.Thread(target=pump, args=(client, up, None, state), daemon=True).start()
        threading.Thread(target=pump, args=(up, client, int(limit), state), daemon=True).start()


if __name__ == "__main__":
    main(*sys.argv[1:5])
