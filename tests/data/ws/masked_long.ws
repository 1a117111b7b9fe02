# a masked 70,000-byte binary frame (64-bit length) reassembled and unmasked
role server
max 100000
> frame binary mask=a1b2c3d4 bytes:70000
= binary bytes:70000
