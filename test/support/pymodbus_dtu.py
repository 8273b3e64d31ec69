#!/usr/bin/python3
"""A 4G DTU emulator for heatnet's dial-in tests (issue 16).

Behaves as an USR/Air720-style DTU does: dials out to the centre (heatnet), sends its
registration packet on connect and/or in front of every packet it forwards, sends
heartbeats on a timer, and otherwise passes bytes through between the centre and the
"serial line", here a pymodbus PLC serving RTU over TCP (pymodbus_plc.py). Like a
real DTU it packs what the line sends into one packet after a short quiet time.

With --drop-after N it hangs up once after forwarding N answers, and redials, as a DTU
does when its 4G link drops. Prints "CONNECTED <n>" on stdout after each dial.
"""
import argparse
import asyncio

PACK_QUIET_S = 0.02  # a DTU's packing interval: bytes from the line separated by less are one packet


class Dtu:
    def __init__(self, args):
        self.args = args
        self.registration = bytes.fromhex(args.registration)
        self.heartbeat = bytes.fromhex(args.heartbeat) if args.heartbeat else b""
        self.writer = None
        self.dialled = 0
        self.answers = 0
        self.hangup = asyncio.Event()

    async def send(self, data):
        if self.writer is None:
            return
        self.writer.write(data)
        await self.writer.drain()

    async def heartbeats(self):
        while self.heartbeat and self.args.heartbeat_every > 0:
            await asyncio.sleep(self.args.heartbeat_every)
            try:
                await self.send(self.prefixed(self.heartbeat))
            except OSError:
                return

    def prefixed(self, packet):
        every = self.args.register_mode in ("every-frame", "both")
        return self.registration + packet if every else packet

    async def centre_to_line(self, reader, plc_writer):
        while True:
            data = await reader.read(512)
            if not data:
                return
            if self.args.heartbeat_mid and self.heartbeat:
                # The heartbeat lands between the centre's request and the line's answer.
                await self.send(self.prefixed(self.heartbeat))
                await asyncio.sleep(PACK_QUIET_S)
            plc_writer.write(data)
            await plc_writer.drain()

    async def line_to_centre(self, plc_reader):
        while True:
            packet = await plc_reader.read(512)
            if not packet:
                return
            while True:
                try:
                    more = await asyncio.wait_for(plc_reader.read(512), PACK_QUIET_S)
                except asyncio.TimeoutError:
                    break
                if not more:
                    break
                packet += more
            await self.send(self.prefixed(packet))
            self.answers += 1
            if self.answers == self.args.drop_after:
                self.hangup.set()

    async def session(self):
        host, port = self.args.server.rsplit(":", 1)
        reader, self.writer = await asyncio.open_connection(host, int(port))
        plc_host, plc_port = self.args.plc.rsplit(":", 1)
        plc_reader, plc_writer = await asyncio.open_connection(plc_host, int(plc_port))
        if self.args.register_mode in ("connect", "both"):
            await self.send(self.registration)
        self.dialled += 1
        print(f"CONNECTED {self.dialled}", flush=True)
        self.hangup.clear()
        tasks = [
            asyncio.create_task(self.centre_to_line(reader, plc_writer)),
            asyncio.create_task(self.line_to_centre(plc_reader)),
            asyncio.create_task(self.heartbeats()),
            asyncio.create_task(self.hangup.wait()),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        self.writer.close()
        plc_writer.close()
        self.writer = None

    async def run(self):
        while True:
            try:
                await self.session()
            except OSError:
                pass
            await asyncio.sleep(self.args.redial_s)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True, help="host:port heatnet listens on")
    parser.add_argument("--plc", required=True, help="host:port of the PLC (RTU over TCP)")
    parser.add_argument("--registration", required=True, help="hex bytes")
    parser.add_argument("--register-mode", choices=["connect", "every-frame", "both"], default="connect")
    parser.add_argument("--heartbeat", default="", help="hex bytes")
    parser.add_argument("--heartbeat-every", type=float, default=0.5)
    parser.add_argument("--heartbeat-mid", action="store_true")
    parser.add_argument("--redial-s", type=float, default=0.2)
    parser.add_argument("--drop-after", type=int, default=0, help="hang up once after N answers")
    args = parser.parse_args()
    asyncio.run(Dtu(args).run())


if __name__ == "__main__":
    main()
