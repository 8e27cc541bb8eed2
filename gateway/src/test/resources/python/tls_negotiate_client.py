#!/usr/bin/python3
"""An HTTPS Negotiate client on MIT krb5 through python-gssapi that binds its token to the TLS channel, for kerbgate's
channel-binding tests.

It opens one TLS connection to --connect (host:port) checking the server's certificate against --cafile for the host
of --url, makes a Kerberos token for HTTP@<host> with channel bindings, sends GET --url with it on that connection, and
prints the status code on the first line, then the response body.

--bindings:
  tls-server-end-point  RFC 5929 of the certificate this connection got: SHA-256 of its DER (right for certificates
                        signed with SHA-256, SHA-1 or MD5, as the tests' are), as requests-gssapi and curl compute it
  other                 the tls-server-end-point of some other certificate, as a token relayed by a TLS proxy has
  none                  no bindings (16 zero bytes in the authenticator, like curl 7.x and most browsers)

Credentials come from the environment as for any MIT client: KRB5_CONFIG and KRB5CCNAME (a ccache from kinit).
Exit status: 0 a response was read, 4 GSS-API or connection error (message on stderr), 2 usage error.
"""
import argparse
import base64
import hashlib
import http.client
import socket
import ssl
import sys
import urllib.parse

import gssapi


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="https://host:port/path")
    parser.add_argument("--connect", required=True, help="host:port to connect to instead of the URL's")
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--bindings", choices=["tls-server-end-point", "other", "none"], required=True)
    return parser.parse_args()


def main():
    args = parse_args()
    url = urllib.parse.urlsplit(args.url)
    host, port = args.connect.rsplit(":", 1)
    context = ssl.create_default_context(cafile=args.cafile)
    try:
        sock = context.wrap_socket(socket.create_connection((host, int(port)), timeout=20), server_hostname=url.hostname)
        certificate = sock.getpeercert(binary_form=True)
        if args.bindings == "none":
            bindings = None
        else:
            der = certificate if args.bindings == "tls-server-end-point" else b"some other certificate"
            bindings = gssapi.raw.ChannelBindings(
                application_data=b"tls-server-end-point:" + hashlib.sha256(der).digest())
        name = gssapi.Name("HTTP@" + url.hostname, gssapi.NameType.hostbased_service)
        flags = gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.out_of_sequence_detection
        gss = gssapi.SecurityContext(name=name, flags=flags, usage="initiate", channel_bindings=bindings,
                                     mech=gssapi.OID.from_int_seq("1.3.6.1.5.5.2"))
        token = base64.b64encode(gss.step()).decode("ascii")

        connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=20)
        connection.sock = sock
        connection.request("GET", url.path or "/", headers={"Authorization": "Negotiate " + token})
        response = connection.getresponse()
        print(response.status)
        print(response.read().decode("utf-8", "replace"), end="")
    except (gssapi.exceptions.GSSError, OSError, http.client.HTTPException) as e:
        print("error: %s" % e, file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
