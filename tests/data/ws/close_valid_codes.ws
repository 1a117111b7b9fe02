# wire-valid codes at the edges of each range (one session per close, so only the first counts)
role server
> frame close "\x03\xf2registered 1010"
= close 1010 "registered 1010"
