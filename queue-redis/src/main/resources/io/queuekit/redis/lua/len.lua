return (waiting())
