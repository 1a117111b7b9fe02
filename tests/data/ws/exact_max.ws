# a message of exactly the limit is fine, in fragments too
role server
max 16
> frame more binary bytes:8
> frame cont bytes:8
> frame text bytes:16
= binary "abcdefghabcdefgh"
= text bytes:16
