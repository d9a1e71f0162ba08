"""Uploads files to an Azurite blob emulator, as the Azure SDK does.

Usage: azure_setup.py ENDPOINT CONTAINER KEY=FILE...

ENDPOINT is the emulator's blob service (http://127.0.0.1:PORT); the
account is the emulator's well-known development account. Prints {} when done.
"""

import sys

from azure.storage.blob import BlobServiceClient

# Azurite's published development account (not a secret).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def main(endpoint, container, uploads):
    connection = (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
        f"BlobEndpoint={endpoint}/{ACCOUNT};"
    )
    blobs = BlobServiceClient.from_connection_string(connection).create_container(container)
    for upload in uploads:
        name, path = upload.split("=", 1)
        with open(path, "rb") as f:
            blobs.upload_blob(name, f)
    print("{}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
