# a multi-byte UTF-8 reason is fine
role server
> frame close "\x03\xe8caf\xc3\xa9 \xe2\x82\xac"
= close 1000 "caf\xc3\xa9 \xe2\x82\xac"
