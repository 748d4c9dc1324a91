#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (Fuzz/Corpus/<target>/): small valid inputs for libFuzzer
to mutate. Run from the repository root; the output is committed."""
import os, struct

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def field(number, wire, value):
    key = varint(number << 3 | wire)
    if wire == 0:
        return key + varint(value)
    return key + varint(len(value)) + value

def string(number, text):
    return field(number, 2, text.encode())

def request_frame(call_id, method, payload=b"", kind=0, timeout=1000, manager=7, rights=(4,), request_id=""):
    caller = field(1, 0, manager) + b"".join(field(2, 0, r) for r in rights)
    body = field(1, 0, call_id) + (field(2, 0, kind) if kind else b"") + string(3, method) + field(4, 0, timeout)
    body += field(5, 2, caller) + (string(6, request_id) if request_id else b"") + (field(7, 2, payload) if payload else b"")
    return body

def frame(body):
    return struct.pack(">I", len(body)) + body

def write(target, name, data):
    folder = os.path.join("Fuzz", "Corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)

health = request_frame(1, "/chatpanel.health.v1.Health/Check")
note = request_frame(2, "/chatpanel.tasks.v1.Tasks/CreateNote", field(1, 0, 42) + string(2, "Перезвонить завтра 🙂"), request_id="req-1")
cancel = request_frame(2, "", kind=1)
deep = request_frame(3, "/chatpanel.clients.v1.Clients/GetClientCard", field(1, 2, field(1, 2, field(1, 2, b""))))

write("FuzzRequestFrame", "health", health)
write("FuzzRequestFrame", "note", note)
write("FuzzRequestFrame", "cancel", cancel)
write("FuzzRequestFrame", "nested", deep)
write("FuzzRequestFrame", "empty", b"")

# FuzzFrames: the first byte sets the maximum (64 + 16 * byte) and the piece size.
write("FuzzFrames", "two-frames", bytes([4]) + frame(health) + frame(note))
write("FuzzFrames", "keepalive", bytes([0]) + frame(b"") + frame(cancel) + frame(b""))
write("FuzzFrames", "oversized", bytes([0]) + struct.pack(">I", 100000) + b"x" * 16)
write("FuzzFrames", "partial", bytes([9]) + frame(note)[:-3])

# FuzzServiceRequests: the first byte picks the method (sorted paths), the rest is its request.
payloads = [b"", field(1, 0, 1), string(1, "client"), field(1, 0, 42) + string(2, "text") + field(3, 0, 1),
            field(1, 2, string(1, "x")), string(2, "Иванов Иван") + string(3, "+79161234567")]
for index in range(0, 256, 3):
    write("FuzzServiceRequests", f"method-{index:03d}", bytes([index]) + payloads[index % len(payloads)])
