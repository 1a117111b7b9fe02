# above U+10FFFF
role server
> frame text "\xf4\x90\x80\x80"
= error 1007
