"""The province-scale benchmark (``make bench``): runner, wrk script, data generator,
sweep data, its settings and URLs. Nothing else imports it; production does not
install it."""
