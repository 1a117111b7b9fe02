# whatever follows the close frame is discarded
role server
> frame close "\x03\xe9"
> frame text "after"
> hex ff ff ff
= close 1001 ""
