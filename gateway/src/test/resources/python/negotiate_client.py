#!/usr/bin/python3
"""An HTTP Negotiate client on MIT krb5 through python-gssapi, for kerbgate's interop tests.

It prints the first token as one line of base64 (the value after "Negotiate " in the Authorization header), then reads
one line from stdin: the server's WWW-Authenticate value ("Negotiate <base64>", or the bare base64), or an empty line
when the server sent no token. It feeds that token to the context and prints "complete" or "incomplete".

Credentials come from the environment as for any MIT client: KRB5_CONFIG and KRB5CCNAME (a ccache from kinit).

Exit status: 0 complete, 3 incomplete, 4 GSS-API error or bad response (message on stderr), 2 usage error.
Runs with Debian's /usr/bin/python3 and its python3-gssapi package.
"""
import argparse
import base64
import sys

import gssapi

SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
MECHS = {"spnego": SPNEGO, "krb5": gssapi.MechType.kerberos}
NEGOTIATE = "negotiate "


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="HTTP@array.example.test",
                        help="host-based service name, as HTTP@host (default: %(default)s)")
    parser.add_argument("--mech", choices=sorted(MECHS), default="spnego")
    parser.add_argument("--no-mutual", action="store_true", help="do not ask for mutual authentication")
    return parser.parse_args()


def response_token(line):
    line = line.strip()
    if line.lower().startswith(NEGOTIATE):
        line = line[len(NEGOTIATE):].strip()
    return base64.b64decode(line, validate=True) if line else None


def main():
    args = parse_args()
    flags = gssapi.RequirementFlag.out_of_sequence_detection
    if not args.no_mutual:
        flags |= gssapi.RequirementFlag.mutual_authentication
    try:
        name = gssapi.Name(args.target, gssapi.NameType.hostbased_service)
        context = gssapi.SecurityContext(name=name, mech=MECHS[args.mech], flags=flags, usage="initiate")
        print(base64.b64encode(context.step()).decode("ascii"), flush=True)

        token = response_token(sys.stdin.readline())
        if token is not None and not context.complete:
            if context.step(token):
                print("error: the client wants another leg, which HTTP Negotiate does not have", file=sys.stderr)
                return 4
    except (gssapi.exceptions.GSSError, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 4
    print("complete" if context.complete else "incomplete", flush=True)
    return 0 if context.complete else 3


if __name__ == "__main__":
    sys.exit(main())
