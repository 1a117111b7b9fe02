# ... and exactly 125 is fine
role server
> frame ping bytes:125
= ping bytes:125
