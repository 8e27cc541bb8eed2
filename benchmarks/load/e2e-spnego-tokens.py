#!/usr/bin/python3
"""Writes N 'Negotiate <base64>' header values, one a line, from MIT's GSSAPI initiator (python-gssapi): one service
ticket (taken from the KDC once, then cached in KRB5CCNAME), a fresh authenticator in every SPNEGO token.

    KRB5_CONFIG=... KRB5CCNAME=... e2e-spnego-tokens.py HTTP@array.example.test N OUT
"""
import base64
import sys

import gssapi

target, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
name = gssapi.Name(target, gssapi.NameType.hostbased_service)
spnego = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
flags = [gssapi.RequirementFlag.mutual_authentication, gssapi.RequirementFlag.out_of_sequence_detection]
with open(out, "w") as f:
    for _ in range(n):
        ctx = gssapi.SecurityContext(name=name, mech=spnego, usage="initiate", flags=flags)
        f.write("Negotiate " + base64.b64encode(ctx.step()).decode() + "\n")
