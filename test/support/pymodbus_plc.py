#!/usr/bin/python3
"""An independent Modbus PLC for heatnet's wire tests (DESIGN §5, issue 16).

Serves the fields of pymodbus-plc-fields.json, encoded by pymodbus's own
BinaryPayloadBuilder (not by heatnet's code), over Modbus TCP, RTU over TCP or a
serial line. Prints "READY" on stdout once it serves. Run with Debian's
/usr/bin/python3 (python3-pymodbus 3.0).

  pymodbus_plc.py --mode tcp|rtu-over-tcp --port N [--units 1,2]
  pymodbus_plc.py --mode serial --device /dev/pts/N --baud 9600
"""
import argparse
import asyncio
import json
import logging
import os
import sys

from pymodbus.constants import Endian
from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.payload import BinaryPayloadBuilder
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer

HERE = os.path.dirname(os.path.abspath(__file__))
ORDERS = {  # heatnet's byte order -> pymodbus (byteorder, wordorder)
    "ABCD": (Endian.Big, Endian.Big),
    "CDAB": (Endian.Big, Endian.Little),
    "BADC": (Endian.Little, Endian.Big),
    "DCBA": (Endian.Little, Endian.Little),
}
ADDERS = {
    "int16": "add_16bit_int",
    "uint16": "add_16bit_uint",
    "int32": "add_32bit_int",
    "uint32": "add_32bit_uint",
    "int64": "add_64bit_int",
    "uint64": "add_64bit_uint",
    "float32": "add_32bit_float",
    "float64": "add_64bit_float",
}


def registers_of(field):
    """The registers a field occupies, as the PLC holds them."""
    if "raw" in field:
        return [field["raw"]]
    byteorder, wordorder = ORDERS[field["order"]]
    builder = BinaryPayloadBuilder(byteorder=byteorder, wordorder=wordorder)
    if field["type"] == "string":
        text = field["value"].encode("ascii").ljust(field["length"] * 2, b"\0")
        builder.add_string(text)
    else:
        getattr(builder, ADDERS[field["type"]])(field["value"])
    return builder.to_registers()


def build_context(fields, units):
    blocks = {"holding": [0] * 200, "input": [0] * 200, "coil": [False] * 64, "discrete": [False] * 64}
    for field in fields:
        area, address = field["area"], field["address"]
        if area in ("coil", "discrete"):
            blocks[area][address] = bool(field["value"])
        else:
            for i, word in enumerate(registers_of(field)):
                blocks[area][address + i] = word
    slave = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, blocks["holding"]),
        ir=ModbusSequentialDataBlock(0, blocks["input"]),
        co=ModbusSequentialDataBlock(0, blocks["coil"]),
        di=ModbusSequentialDataBlock(0, blocks["discrete"]),
        zero_mode=True,
    )
    return ModbusServerContext(slaves={unit: slave for unit in units}, single=False)


async def announce_when_listening(mode, port):
    """Say READY once the port accepts connections (the server task binds it)."""
    if mode == "serial":
        await asyncio.sleep(0.2)
    else:
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
    print("READY", flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["tcp", "rtu-over-tcp", "serial"], required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--device")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--units", default="1")
    parser.add_argument("--fields", default=os.path.join(HERE, "pymodbus-plc-fields.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    with open(args.fields, encoding="utf8") as f:
        fields = json.load(f)
    context = build_context(fields, [int(u) for u in args.units.split(",")])
    asyncio.get_running_loop().create_task(announce_when_listening(args.mode, args.port))
    if args.mode == "serial":
        await StartAsyncSerialServer(
            context, framer=ModbusRtuFramer, port=args.device, baudrate=args.baud
        )
    else:
        framer = ModbusRtuFramer if args.mode == "rtu-over-tcp" else ModbusSocketFramer
        await StartAsyncTcpServer(
            context, address=("127.0.0.1", args.port), framer=framer, allow_reuse_address=True
        )


if __name__ == "__main__":
    asyncio.run(main())
