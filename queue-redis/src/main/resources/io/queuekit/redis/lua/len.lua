return waiting()
