role client
> frame text "\xe0\x80\xaf"
= error 1007
