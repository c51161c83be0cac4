"""After the ranking: agreements, payments, tailored support, expected impacts and the city's four figures."""
