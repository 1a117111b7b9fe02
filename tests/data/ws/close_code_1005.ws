# 1005 is for local reporting only; on the wire it is a protocol error
role server
> frame close "\x03\xed"
= error 1002
