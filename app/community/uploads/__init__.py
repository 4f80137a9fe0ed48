"""Uploaded images: re-encoded with Pillow, stored behind an interface, served safely.

`services.save_image(actor, file_storage)` is the one way in (forum composer, polls);
`processing` decodes and re-encodes (metadata stripped, bombs refused); `storage` keeps the
bytes (local disk by default, S3-compatible object storage by config); `routes` serves
them with headers no browser can turn into a script.
"""
