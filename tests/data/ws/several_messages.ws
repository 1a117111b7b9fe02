# several messages back to back in one read
role client
> frame text "a"
> frame binary "b"
> frame ping ""
> frame text "c"
= text "a"
= binary "b"
= ping ""
= text "c"
