# one frame over the limit: refused from its header, before the payload
role server
max 16
> frame binary bytes:17
= error 1009
