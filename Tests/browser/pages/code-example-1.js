var clientProperties = {}; //makes on object
clientProperties.Nickname = "John";
clientProperties.Avatar = "http://myavatar.com/1.jpg"; 
clientProperties.Password = "12345678"; //password of the Webphone Extension 

//registers to the onConnectionStateChanged event
OzWebClient.onConnectionStateChanged(connectionStateChanged); 
//connects to the 1500 extension of Ozeki Phone System 
OzWebClient.connect("localhost", "1500", clientProperties); 

function connectionStateChanged(state) {
   console.log(state); //shows the state of the connection on the console log
}
