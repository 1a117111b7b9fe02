# a masked 300-byte text frame (16-bit length)
role server
> frame text mask=01020304 bytes:300
= text bytes:300
